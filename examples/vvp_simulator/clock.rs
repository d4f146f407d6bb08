//! The simulator's clock and id source: deterministic, so tests can predict ids and order.
//!
//! Time only moves when the simulator is told to: every [`SimClock::tick`] advances it by one
//! second, and every timestamp handed out advances it by one millisecond, so timestamps are
//! strictly increasing (events can be ordered by `createdAt`).

/// Seconds since the Unix epoch of the simulator's start time, 2024-01-01T00:00:00Z.
const START_EPOCH_SECONDS: i64 = 1_704_067_200;

/// Simulated time and the counter behind generated UUIDs.
#[derive(Debug, Clone)]
pub struct SimClock {
    millis: i64,
    ids: u64,
    ticks: u64,
}

impl Default for SimClock {
    fn default() -> Self {
        Self {
            millis: START_EPOCH_SECONDS * 1000,
            ids: 0,
            ticks: 0,
        }
    }
}

impl SimClock {
    /// The current simulated time as RFC 3339 with milliseconds; advances the clock by 1 ms.
    pub fn stamp(&mut self) -> String {
        self.millis += 1;
        format_rfc3339_millis(self.millis)
    }

    /// Advances simulated time by one second.
    pub fn tick(&mut self) {
        self.ticks += 1;
        self.millis += 1000;
    }

    /// How many ticks have happened.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// A fresh, well-formed version-4 UUID, deterministic in order of calls.
    pub fn uuid(&mut self) -> String {
        self.ids += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.ids)
    }
}

/// Formats milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_rfc3339_millis(millis: i64) -> String {
    let seconds = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let secs_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_rfc3339_millis(START_EPOCH_SECONDS * 1000 + 61_001),
            "2024-01-01T00:01:01.001Z"
        );
        // 2024-02-29 (leap day) 12:00:00.5
        assert_eq!(
            format_rfc3339_millis(1_709_208_000_500),
            "2024-02-29T12:00:00.500Z"
        );
    }

    #[test]
    fn stamps_increase_and_uuids_are_unique() {
        let mut clock = SimClock::default();
        let a = clock.stamp();
        clock.tick();
        let b = clock.stamp();
        assert!(a < b, "{a} < {b}");
        assert_ne!(clock.uuid(), clock.uuid());
        assert_eq!(clock.ticks(), 1);
    }
}
