//! The deployment and savepoint state machines, advanced by [`Simulator::tick`].
//!
//! A change of the desired state starts a transition at once (the deployment turns
//! TRANSITIONING in the PATCH answer); each tick finishes the transition in progress and
//! then starts the next one if the desired state still differs from the observed one.
//! Transitions are not interrupted by concurrent changes, as in VVP.

use rudder::vvp::api::{
    Deployment, DeploymentState, DeploymentStatus, DeploymentStatusRunning, Event, EventMetadata,
    EventSpec, Failure, Job, JobDeploymentTarget, JobMetadata, JobSpec, JobState, JobStatus,
    JobStatusStarted, KIND_EVENT, KIND_JOB, KIND_SAVEPOINT, Savepoint, SavepointMetadata,
    SavepointOrigin, SavepointSpec, SavepointState, SavepointStatus,
};
use serde_json::Value;

use super::store::{SimError, SimResult, Simulator, deployment_spec, deployment_status};

/// The transition a deployment is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing in progress.
    Idle,
    /// A new job is starting.
    Starting,
    /// The current job is being cancelled.
    Stopping,
    /// A savepoint is being taken before the job stops.
    Suspending {
        /// The savepoint being taken.
        savepoint_id: String,
    },
}

/// Flink configuration key naming the savepoint directory.
const SAVEPOINT_DIR_KEY: &str = "state.savepoints.dir";
/// Savepoint directory used when the deployment configures none.
const DEFAULT_SAVEPOINT_DIR: &str = "s3://vvp-simulator/savepoints";

fn key(ns: &str, id: &str) -> (String, String) {
    (ns.to_owned(), id.to_owned())
}

impl Simulator {
    /// Advances simulated time by one second and every state machine by one step:
    /// savepoints complete (or fail), transitions finish, terminating namespaces vanish.
    pub fn tick(&mut self) {
        self.clock.tick();
        self.complete_savepoints();
        let keys: Vec<(String, String)> = self.deployments.keys().cloned().collect();
        for (ns, id) in keys {
            self.finish_step(&ns, &id);
            self.evaluate(&ns, &id);
        }
        self.finish_namespace_deletions();
    }

    /// Starts a transition if deployment `id` is idle and its desired state differs from
    /// the observed one.
    pub(super) fn evaluate(&mut self, ns: &str, id: &str) {
        let Some(record) = self.deployments.get(&key(ns, id)) else {
            return;
        };
        if record.step != Step::Idle {
            return;
        }
        let spec = deployment_spec(&record.deployment);
        let observed = deployment_status(&record.deployment);
        let template_changed = spec.template != record.applied_template;
        let upgrade = spec
            .upgrade_strategy
            .as_ref()
            .and_then(|s| s.kind.clone())
            .unwrap_or_else(|| "NONE".to_owned());
        let retry = record.retry_failed;
        use DeploymentState as S;
        match (spec.state, observed) {
            (Some(S::Running), Some(S::Cancelled | S::Suspended)) => self.begin_start(ns, id),
            (Some(S::Running), Some(S::Failed)) if retry => self.begin_start(ns, id),
            (Some(S::Running), Some(S::Running)) if template_changed => match upgrade.as_str() {
                "STATEFUL" => {
                    self.emit(
                        ns,
                        id,
                        "USING_AN_UPGRADE_STRATEGY",
                        "Using upgrade strategy STATEFUL.",
                    );
                    self.begin_suspend(ns, id, SavepointOrigin::SuspendAndUpgrade);
                }
                "STATELESS" => {
                    self.emit(
                        ns,
                        id,
                        "USING_AN_UPGRADE_STRATEGY",
                        "Using upgrade strategy STATELESS.",
                    );
                    self.begin_stop(ns, id);
                }
                _ => {}
            },
            (Some(S::Cancelled), Some(S::Running)) => self.begin_stop(ns, id),
            (Some(S::Cancelled), Some(S::Suspended | S::Failed | S::Finished)) => {
                self.terminate_job(ns, id);
                self.emit(
                    ns,
                    id,
                    "STATE_TRANSITION_IS_NEEDED",
                    "Transitioning to CANCELLED.",
                );
                self.settle(ns, id, S::Cancelled);
            }
            (Some(S::Suspended), Some(S::Running)) => {
                self.begin_suspend(ns, id, SavepointOrigin::Suspend)
            }
            (Some(S::Suspended), Some(S::Failed)) if !retry => {}
            (Some(S::Suspended), Some(S::Cancelled | S::Failed | S::Finished)) => {
                if let Some(record) = self.deployments.get_mut(&key(ns, id)) {
                    record.retry_failed = false;
                }
                self.terminate_job(ns, id);
                self.emit(
                    ns,
                    id,
                    "STATE_TRANSITION_IS_NEEDED",
                    "Transitioning to SUSPENDED.",
                );
                self.emit(
                    ns,
                    id,
                    "COULD_NOT_FIND_A_JOB_TO_SUSPEND",
                    "No running job to suspend.",
                );
                self.settle(ns, id, S::Suspended);
            }
            _ => {}
        }
    }

    /// Finishes the transition deployment `id` is in, if any.
    fn finish_step(&mut self, ns: &str, id: &str) {
        let Some(record) = self.deployments.get(&key(ns, id)) else {
            return;
        };
        match record.step.clone() {
            Step::Idle => {}
            Step::Starting => self.finish_start(ns, id),
            Step::Stopping => {
                self.terminate_job(ns, id);
                self.settle(ns, id, DeploymentState::Cancelled);
            }
            Step::Suspending { savepoint_id } => self.finish_suspend(ns, id, &savepoint_id),
        }
    }

    fn set_status(
        &mut self,
        ns: &str,
        id: &str,
        state: DeploymentState,
        running: Option<DeploymentStatusRunning>,
        step: Step,
    ) {
        let now = self.clock.stamp();
        if let Some(record) = self.deployments.get_mut(&key(ns, id)) {
            record.deployment.status = Some(DeploymentStatus {
                state: Some(state),
                running,
            });
            record.step = step;
            // A status change is a write of the deployment like any other.
            if let Some(meta) = record.deployment.metadata.as_mut() {
                meta.modified_at = Some(now);
                meta.resource_version = Some(meta.resource_version.unwrap_or_default() + 1);
            }
        }
    }

    /// Ends a transition in `state`; reports completion when that is the desired state.
    fn settle(&mut self, ns: &str, id: &str, state: DeploymentState) {
        self.set_status(ns, id, state, None, Step::Idle);
        let desired = self
            .deployments
            .get(&key(ns, id))
            .and_then(|r| deployment_spec(&r.deployment).state);
        if desired == Some(state) {
            self.emit(
                ns,
                id,
                "STATE_TRANSITION_IS_COMPLETED",
                &format!("Transitioned to {state:?}."),
            );
        }
    }

    fn begin_start(&mut self, ns: &str, id: &str) {
        let Some(record) = self.deployments.get_mut(&key(ns, id)) else {
            return;
        };
        record.retry_failed = false;
        record.job_id = None;
        let deployment = record.deployment.clone();
        let spec = deployment_spec(&deployment);
        self.set_status(ns, id, DeploymentState::Transitioning, None, Step::Starting);
        self.emit(
            ns,
            id,
            "STATE_TRANSITION_IS_NEEDED",
            "Transitioning to RUNNING.",
        );
        let restore_from = self.restore_location(ns, id, &deployment);
        let job_id = self.clock.uuid();
        let now = self.clock.stamp();
        let template = spec.template.clone().unwrap_or_default();
        let tspec = template.spec.clone().unwrap_or_default();
        let target = spec
            .deployment_target_id
            .as_deref()
            .and_then(|t| self.target_by_id(ns, t))
            .and_then(|t| t.spec.as_ref())
            .and_then(|s| s.kubernetes.clone());
        let job = Job {
            api_version: Some("v1".to_owned()),
            kind: Some(KIND_JOB.to_owned()),
            metadata: Some(JobMetadata {
                id: Some(job_id.clone()),
                namespace: Some(ns.to_owned()),
                deployment_id: Some(id.to_owned()),
                deployment_name: deployment.metadata.as_ref().and_then(|m| m.name.clone()),
                created_at: Some(now.clone()),
                modified_at: Some(now),
                annotations: template.metadata.and_then(|m| m.annotations),
                resource_version: Some(1),
                ..JobMetadata::default()
            }),
            spec: Some(JobSpec {
                allow_non_restored_state: spec
                    .restore_strategy
                    .as_ref()
                    .and_then(|r| r.allow_non_restored_state),
                artifact: tspec.artifact,
                deployment_target: Some(JobDeploymentTarget { kubernetes: target }),
                flink_configuration: tspec.flink_configuration,
                kubernetes: tspec.kubernetes,
                logging: tspec.logging,
                number_of_task_managers: tspec.number_of_task_managers,
                parallelism: tspec.parallelism,
                resources: tspec.resources,
                savepoint_location: restore_from,
            }),
            status: Some(JobStatus {
                state: Some(JobState::Starting),
                ..JobStatus::default()
            }),
        };
        self.jobs.insert(key(ns, &job_id), job);
        if let Some(record) = self.deployments.get_mut(&key(ns, id)) {
            record.job_id = Some(job_id);
            record.applied_template = spec.template;
        }
        self.emit(ns, id, "CREATING_A_NEW_JOB", "Creating a new job.");
    }

    /// The savepoint a new job restores from, per `spec.restoreStrategy.kind`.
    fn restore_location(&self, ns: &str, id: &str, deployment: &Deployment) -> Option<String> {
        let kind = deployment_spec(deployment)
            .restore_strategy
            .and_then(|r| r.kind)
            .unwrap_or_else(|| "NONE".to_owned());
        let include_checkpoints = match kind.as_str() {
            "LATEST_SAVEPOINT" => false,
            "LATEST_STATE" => true,
            _ => return None,
        };
        self.savepoints
            .iter()
            .filter(|((n, _), _)| n == ns)
            .map(|(_, s)| s)
            .filter(|s| {
                let m = s.metadata.clone().unwrap_or_default();
                m.deployment_id.as_deref() == Some(id)
                    && s.status.as_ref().and_then(|st| st.state) == Some(SavepointState::Completed)
                    && (include_checkpoints
                        || m.origin != Some(SavepointOrigin::RetainedCheckpoint))
            })
            .filter_map(|s| s.spec.as_ref().and_then(|sp| sp.savepoint_location.clone()))
            .next_back()
    }

    fn finish_start(&mut self, ns: &str, id: &str) {
        let Some(record) = self.deployments.get(&key(ns, id)) else {
            return;
        };
        let job_id = record.job_id.clone().unwrap_or_default();
        let target_id = deployment_spec(&record.deployment)
            .deployment_target_id
            .unwrap_or_default();
        if self.target_by_id(ns, &target_id).is_none() {
            let message = format!("Deployment target {target_id} does not exist.");
            self.update_job(ns, &job_id, JobState::Failed, Some(&message));
            self.emit(
                ns,
                id,
                "REFERENCED_DEPLOYMENT_TARGET_DOES_NOT_EXIST",
                &message,
            );
            self.set_status(ns, id, DeploymentState::Failed, None, Step::Idle);
            return;
        }
        self.update_job(ns, &job_id, JobState::Started, None);
        let now = self.clock.stamp();
        let running = DeploymentStatusRunning {
            job_id: Some(job_id),
            transition_time: Some(now),
            conditions: Some(Vec::new()),
        };
        self.emit(ns, id, "JOB_SUCCESSFULLY_STARTED", "Job started.");
        self.set_status(ns, id, DeploymentState::Running, Some(running), Step::Idle);
        self.emit(
            ns,
            id,
            "STATE_TRANSITION_IS_COMPLETED",
            "Transitioned to RUNNING.",
        );
    }

    fn begin_stop(&mut self, ns: &str, id: &str) {
        self.set_status(ns, id, DeploymentState::Transitioning, None, Step::Stopping);
        if let Some(job_id) = self.current_job(ns, id) {
            self.update_job(ns, &job_id, JobState::Terminating, None);
        }
        self.emit(
            ns,
            id,
            "FOUND_A_JOB_TO_TERMINATE",
            "Found a job to terminate.",
        );
        self.emit(
            ns,
            id,
            "AWAITING_A_JOB_TO_TERMINATE",
            "Awaiting the job to terminate.",
        );
    }

    fn begin_suspend(&mut self, ns: &str, id: &str, origin: SavepointOrigin) {
        let job_id = self.current_job(ns, id);
        let savepoint_id = self.new_savepoint(ns, id, job_id, origin);
        self.set_status(
            ns,
            id,
            DeploymentState::Transitioning,
            None,
            Step::Suspending { savepoint_id },
        );
        self.emit(
            ns,
            id,
            "CREATING_A_SAVEPOINT_BEFORE_SUSPENSION",
            "Creating a savepoint.",
        );
        self.emit(
            ns,
            id,
            "SUCCESSFULLY_TRIGGERED_A_SAVEPOINT",
            "Triggered a savepoint.",
        );
        self.emit(
            ns,
            id,
            "AWAITING_SAVEPOINT_COMPLETION_TO_TRANSITION_TO_SUSPENDED",
            "Awaiting the savepoint to complete.",
        );
    }

    fn finish_suspend(&mut self, ns: &str, id: &str, savepoint_id: &str) {
        let state = self
            .savepoints
            .get(&key(ns, savepoint_id))
            .and_then(|s| s.status.as_ref())
            .and_then(|s| s.state);
        match state {
            Some(SavepointState::Completed) => {
                self.emit(
                    ns,
                    id,
                    "FOUND_A_COMPLETED_SAVEPOINT_READY_FOR_SUSPENSION",
                    "The savepoint completed.",
                );
                self.terminate_job(ns, id);
                self.settle(ns, id, DeploymentState::Suspended);
            }
            Some(SavepointState::Failed) => {
                self.emit(
                    ns,
                    id,
                    "AN_UNRECOVERABLE_FAILURE_WHILE_TAKING_A_SAVEPOINT",
                    "The savepoint failed.",
                );
                self.emit(
                    ns,
                    id,
                    "TOO_MANY_FAILED_SUSPENSION_ATTEMPTS",
                    "Giving up suspending the deployment.",
                );
                self.set_status(ns, id, DeploymentState::Failed, None, Step::Idle);
            }
            _ => {}
        }
    }

    fn current_job(&self, ns: &str, id: &str) -> Option<String> {
        self.deployments
            .get(&key(ns, id))
            .and_then(|r| r.job_id.clone())
    }

    /// Stops the current job if it is still active.
    fn terminate_job(&mut self, ns: &str, id: &str) {
        if let Some(job_id) = self.current_job(ns, id) {
            let active = self
                .jobs
                .get(&key(ns, &job_id))
                .and_then(|j| j.status.as_ref())
                .and_then(|s| s.state)
                .is_some_and(|s| {
                    matches!(
                        s,
                        JobState::Starting | JobState::Started | JobState::Terminating
                    )
                });
            if active {
                self.update_job(ns, &job_id, JobState::Terminated, None);
            }
        }
    }

    fn update_job(&mut self, ns: &str, job_id: &str, state: JobState, failure: Option<&str>) {
        let now = self.clock.stamp();
        let flink_job_id = self.clock.uuid().replace('-', "");
        let Some(job) = self.jobs.get_mut(&key(ns, job_id)) else {
            return;
        };
        let status = job.status.get_or_insert_with(JobStatus::default);
        status.state = Some(state);
        if state == JobState::Started {
            status.started = Some(JobStatusStarted {
                flink_job_id: Some(flink_job_id),
                started_at: Some(now.clone()),
                last_update_time: Some(now.clone()),
                observed_flink_job_status: Some("RUNNING".to_owned()),
                observed_flink_job_restarts: Some(0),
            });
        }
        if let Some(message) = failure {
            status.failure = Some(Failure {
                message: Some(message.to_owned()),
                reason: Some("SIMULATED_FAILURE".to_owned()),
                failed_at: Some(now.clone()),
            });
        }
        if let Some(meta) = job.metadata.as_mut() {
            if matches!(
                state,
                JobState::Terminated | JobState::Failed | JobState::Finished
            ) {
                meta.terminated_at = Some(now.clone());
            }
            meta.modified_at = Some(now);
            meta.resource_version = Some(meta.resource_version.unwrap_or_default() + 1);
        }
    }

    /// Records an event for deployment `id` (and its current job).
    pub(super) fn emit(&mut self, ns: &str, id: &str, name: &str, message: &str) {
        let job_id = self.current_job(ns, id);
        let event = Event {
            api_version: Some("v1".to_owned()),
            kind: Some(KIND_EVENT.to_owned()),
            metadata: Some(EventMetadata {
                id: Some(self.clock.uuid()),
                namespace: Some(ns.to_owned()),
                created_at: Some(self.clock.stamp()),
                deployment_id: Some(id.to_owned()),
                job_id,
                name: Some(name.to_owned()),
                resource_version: Some(1),
                ..EventMetadata::default()
            }),
            spec: Some(EventSpec {
                message: Some(message.to_owned()),
            }),
        };
        self.events.push(event);
    }

    // ----- savepoints -----------------------------------------------------------------

    /// Stores a STARTED savepoint of deployment `id` and returns its id.
    fn new_savepoint(
        &mut self,
        ns: &str,
        id: &str,
        job_id: Option<String>,
        origin: SavepointOrigin,
    ) -> String {
        let savepoint_id = self.clock.uuid();
        let now = self.clock.stamp();
        let savepoint = Savepoint {
            api_version: Some("v1".to_owned()),
            kind: Some(KIND_SAVEPOINT.to_owned()),
            metadata: Some(SavepointMetadata {
                id: Some(savepoint_id.clone()),
                namespace: Some(ns.to_owned()),
                created_at: Some(now.clone()),
                modified_at: Some(now),
                deployment_id: Some(id.to_owned()),
                job_id,
                origin: Some(origin),
                resource_version: Some(1),
                ..SavepointMetadata::default()
            }),
            spec: Some(SavepointSpec::default()),
            status: Some(SavepointStatus {
                state: Some(SavepointState::Started),
                failure: None,
            }),
        };
        self.savepoints.insert(key(ns, &savepoint_id), savepoint);
        savepoint_id
    }

    /// Triggers a savepoint: of the deployment's running job (USER_REQUEST, completes at
    /// the next tick), or, when `spec.savepointLocation` is given, registers that location
    /// (COPIED, completed at once).
    pub fn create_savepoint(&mut self, ns: &str, body: &Value) -> SimResult<Savepoint> {
        self.require_namespace(ns, true)?;
        let request: Savepoint = super::store::parse(body)?;
        let deployment_id = request
            .metadata
            .as_ref()
            .and_then(|m| m.deployment_id.clone())
            .filter(|d| !d.is_empty())
            .ok_or_else(|| SimError::bad_request("metadata.deploymentId is required"))?;
        let deployment = self
            .get_deployment(ns, &deployment_id)
            .map_err(|_| SimError::not_found(format!("deployment {deployment_id} not found")))?;
        let copied_location = request.spec.and_then(|s| s.savepoint_location);
        if let Some(location) = copied_location {
            let id = self.new_savepoint(ns, &deployment_id, None, SavepointOrigin::Copied);
            self.finish_savepoint(ns, &id, Some(location), false);
            return self.get_savepoint(ns, &id);
        }
        if deployment_status(&deployment) != Some(DeploymentState::Running) {
            return Err(SimError::bad_request(format!(
                "deployment {deployment_id} is not RUNNING; cannot take a savepoint"
            )));
        }
        let job_id = self.current_job(ns, &deployment_id);
        let id = self.new_savepoint(ns, &deployment_id, job_id, SavepointOrigin::UserRequest);
        if let Some(annotations) = request.metadata.and_then(|m| m.annotations)
            && let Some(meta) = self
                .savepoints
                .get_mut(&key(ns, &id))
                .and_then(|s| s.metadata.as_mut())
        {
            meta.annotations = Some(annotations);
        }
        self.get_savepoint(ns, &id)
    }

    /// Completes (or, with the `failSavepoints` fault, fails) every STARTED savepoint.
    fn complete_savepoints(&mut self) {
        let started: Vec<(String, String)> = self
            .savepoints
            .iter()
            .filter(|(_, s)| {
                s.status.as_ref().and_then(|st| st.state) == Some(SavepointState::Started)
            })
            .map(|(k, _)| k.clone())
            .collect();
        let fail = self.faults.fail_savepoints;
        for (ns, id) in started {
            self.finish_savepoint(&ns, &id, None, fail);
        }
    }

    fn finish_savepoint(&mut self, ns: &str, id: &str, location: Option<String>, fail: bool) {
        let now = self.clock.stamp();
        let flink_id = self.clock.uuid();
        let dir = self.savepoint_dir(ns, id);
        let Some(savepoint) = self.savepoints.get_mut(&key(ns, id)) else {
            return;
        };
        let status = savepoint
            .status
            .get_or_insert_with(SavepointStatus::default);
        if fail {
            status.state = Some(SavepointState::Failed);
            status.failure = Some(Failure {
                message: Some("Simulated savepoint failure.".to_owned()),
                reason: Some("SAVEPOINT_FAILED".to_owned()),
                failed_at: Some(now.clone()),
            });
        } else {
            status.state = Some(SavepointState::Completed);
            let location = location.unwrap_or_else(|| {
                format!(
                    "{dir}/savepoint-{}",
                    flink_id.rsplit('-').next().unwrap_or_default()
                )
            });
            savepoint.spec = Some(SavepointSpec {
                savepoint_location: Some(location),
                flink_savepoint_id: Some(flink_id),
            });
        }
        if let Some(meta) = savepoint.metadata.as_mut() {
            meta.modified_at = Some(now);
            meta.resource_version = Some(meta.resource_version.unwrap_or_default() + 1);
        }
    }

    /// `state.savepoints.dir` of the savepoint's deployment, or the simulator's default.
    fn savepoint_dir(&self, ns: &str, savepoint_id: &str) -> String {
        self.savepoints
            .get(&key(ns, savepoint_id))
            .and_then(|s| s.metadata.as_ref())
            .and_then(|m| m.deployment_id.as_deref())
            .and_then(|d| self.deployments.get(&key(ns, d)))
            .and_then(|r| deployment_spec(&r.deployment).template)
            .and_then(|t| t.spec)
            .and_then(|s| s.flink_configuration)
            .and_then(|c| c.get(SAVEPOINT_DIR_KEY).cloned())
            .unwrap_or_else(|| format!("{DEFAULT_SAVEPOINT_DIR}/{ns}"))
    }

    // ----- injected outcomes ----------------------------------------------------------

    /// Fails the deployment's active job unrecoverably: status FAILED.
    pub fn fail_deployment(
        &mut self,
        ns: &str,
        id: &str,
        message: Option<&str>,
    ) -> SimResult<Deployment> {
        let deployment = self.get_deployment(ns, id)?;
        if !matches!(
            deployment_status(&deployment),
            Some(DeploymentState::Running | DeploymentState::Transitioning)
        ) {
            return Err(SimError::conflict(format!(
                "deployment {id} has no active job to fail"
            )));
        }
        let message = message.unwrap_or("Simulated unrecoverable job failure.");
        if let Some(job_id) = self.current_job(ns, id) {
            self.update_job(ns, &job_id, JobState::Failed, Some(message));
        }
        self.emit(
            ns,
            id,
            "TERMINATING_A_JOB_DUE_TO_AN_UNRECOVERABLE_FAILURE",
            message,
        );
        self.set_status(ns, id, DeploymentState::Failed, None, Step::Idle);
        self.get_deployment(ns, id)
    }

    /// Lets the deployment's running (finite) job complete: status FINISHED.
    pub fn finish_deployment(&mut self, ns: &str, id: &str) -> SimResult<Deployment> {
        let deployment = self.get_deployment(ns, id)?;
        if deployment_status(&deployment) != Some(DeploymentState::Running) {
            return Err(SimError::conflict(format!(
                "deployment {id} is not RUNNING"
            )));
        }
        if let Some(job_id) = self.current_job(ns, id) {
            self.update_job(ns, &job_id, JobState::Finished, None);
        }
        self.emit(ns, id, "JOB_SUCCESSFULLY_FINISHED", "The job finished.");
        self.emit(
            ns,
            id,
            "TRANSITIONED_TO_FINISHED_STATE",
            "Transitioned to FINISHED.",
        );
        self.set_status(ns, id, DeploymentState::Finished, None, Step::Idle);
        self.get_deployment(ns, id)
    }
}
