/**
 * Which recipients the SMTP server takes mail for: the configured addresses and domains, nothing
 * else. Mail for anyone else is refused at RCPT TO, so the server can never relay.
 */
export class RecipientPolicy {
  private readonly addresses: Set<string>;
  private readonly domains: Set<string>;

  constructor(addresses: string[], domains: string[]) {
    this.addresses = new Set(addresses.map((a) => a.trim().toLowerCase()));
    this.domains = new Set(domains.map((d) => d.trim().toLowerCase().replace(/\.$/, '')));
  }

  accepts(address: string): boolean {
    const a = address.trim().toLowerCase();
    const at = a.lastIndexOf('@');
    if (at <= 0 || at === a.length - 1) return false;
    // A source route or a %-hack ("user%other.org@city.ru") is an old relay trick: refused outright.
    if (/[%!]/.test(a.slice(0, at)) || a.startsWith('@')) return false;
    return this.addresses.has(a) || this.domains.has(a.slice(at + 1).replace(/\.$/, ''));
  }

  describe(): string {
    return [...this.addresses, ...[...this.domains].map((d) => `*@${d}`)].join(', ');
  }
}
