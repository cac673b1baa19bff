import { z } from 'zod';

/**
 * The `detail` of an EventBridge `ECS Task State Change` event, as far as Cronium reads it. ECS sends
 * more (attachments, overrides, timestamps…); unknown fields are ignored, and every field ECS may
 * leave out is optional, so a task that never started (no exit code, no `startedAt`) still parses.
 */
export const EcsTaskStateChangeDetailSchema = z.object({
  taskArn: z.string().min(1),
  clusterArn: z.string().min(1),
  lastStatus: z.string(),
  desiredStatus: z.string().optional(),
  /** `TaskFailedToStart`, `EssentialContainerExited`, `UserInitiated`, … */
  stopCode: z.string().optional(),
  /** Free text: the StopTask reason, or e.g. `CannotPullContainerError: …`. */
  stoppedReason: z.string().optional(),
  startedBy: z.string().optional(),
  group: z.string().optional(),
  /** `arn:…:task-definition/<family>:<revision>`: which runtime's task definition ran. */
  taskDefinitionArn: z.string().optional(),
  /** Task memory in MiB, as a string. */
  memory: z.string().optional(),
  containers: z
    .array(
      z.object({
        name: z.string(),
        exitCode: z.number().int().optional(),
        /** Why the container stopped, e.g. `OutOfMemoryError: Container killed due to memory usage`. */
        reason: z.string().optional(),
        lastStatus: z.string().optional(),
      }),
    )
    .default([]),
});

export type EcsTaskStateChangeDetail = z.infer<typeof EcsTaskStateChangeDetailSchema>;

/** The id part of a task ARN (`arn:…:task/<cluster>/<id>`), or the input when it is already an id. */
export const taskIdOf = (taskArnOrId: string): string => taskArnOrId.slice(taskArnOrId.lastIndexOf('/') + 1);

/** The family of a task definition ARN, `family:revision` or family. */
export const familyOf = (taskDefinition: string): string => {
  const afterSlash = taskDefinition.slice(taskDefinition.lastIndexOf('/') + 1);
  return afterSlash.split(':')[0] ?? afterSlash;
};
