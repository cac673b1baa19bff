/** What `fn` throws, or undefined when it returns: for asserting on a thrown error's fields. */
export const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
};
