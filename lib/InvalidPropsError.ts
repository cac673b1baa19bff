/** A construct was given props that cannot work together; `conflicts` lists every one found. */
export class InvalidPropsError extends Error {
  constructor(
    readonly construct: string,
    readonly conflicts: readonly string[],
  ) {
    super(`${construct}: invalid props:\n${conflicts.map((c) => `  - ${c}`).join('\n')}`);
    this.name = new.target.name;
  }
}

/**
 * Throws one {@link InvalidPropsError} naming every conflict, so a caller fixes them all in one go.
 * @throws InvalidPropsError when `conflicts` is not empty.
 */
export const throwIfConflicts = (construct: string, conflicts: readonly string[]): void => {
  if (conflicts.length > 0) throw new InvalidPropsError(construct, conflicts);
};
