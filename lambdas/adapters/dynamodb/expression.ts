/**
 * Collects placeholder names and values for one request, so no attribute name can clash with a
 * reserved word (`status` is one) and no value is spliced into an expression.
 */
export class Expr {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private readonly byAttr = new Map<string, string>();
  private valueCount = 0;

  /** The placeholder for attribute `attr` (the same one each time). */
  name(attr: string): string {
    let placeholder = this.byAttr.get(attr);
    if (!placeholder) {
      placeholder = `#n${this.byAttr.size}`;
      this.byAttr.set(attr, placeholder);
      this.names[placeholder] = attr;
    }
    return placeholder;
  }

  /** A fresh placeholder bound to `v`. */
  value(v: unknown): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = v;
    return placeholder;
  }

  /** The request fields; empty maps are left out because DynamoDB rejects them. */
  params(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(this.byAttr.size > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.valueCount > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}
