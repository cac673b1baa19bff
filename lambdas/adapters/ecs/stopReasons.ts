/**
 * The `reason` Cronium gives StopTask. ECS hands it back as the task's `stoppedReason`, which is how
 * the completion handler tells a stop of ours from anything else. It must stay equal to the reason
 * createEcsLauncher.ts passes (test/adapters/ecs/taskStopped.test.ts checks it through the launcher).
 */
export const CroniumStopReason = 'stopped by Cronium';
