# Sourced by hack scripts that read the chart corpus. Defines corpus_root, which prints the
# corpus root: $RUDDER_CORPUS, else ../shared/charts-corpus next to the checkout, else
# /work/shared/charts-corpus when it has a cases.json; prints nothing when there is none.
# Needs $ROOT (the checkout) set by the caller.

corpus_root() {
  if [[ -n "${RUDDER_CORPUS:-}" ]]; then
    echo "$RUDDER_CORPUS"
  elif [[ -f "$ROOT/../shared/charts-corpus/cases.json" ]]; then
    (cd "$ROOT/../shared/charts-corpus" && pwd)
  elif [[ -f /work/shared/charts-corpus/cases.json ]]; then
    echo /work/shared/charts-corpus
  fi
}
