// Package policy decides whether a customer may get a message now: allow,
// defer until a time, or suppress with a reason. Every sender asks it, and
// every answer is recorded, so that "why did (or didn't) this customer get
// this message?" has an answer.
//
// The decision is split in two. Evaluate is pure: it reads a Recipient (the
// few facts the rules need, loaded in bulk for an audience by the streaming
// loader) and the compiled Rules, does no I/O and allocates nothing, so a
// million-recipient campaign decides in seconds. Policy wraps it with the
// store: loading recipients, the decision log (batched writes), consent and
// its proof (double opt-in included), the global suppression list keyed by
// the phone's blind index, preferences, the ledger of queued sends that
// frequency caps count, and the interactions that keep a customer in
// marketing audiences.
//
// The rules, in the order a decision lists them: consent (marketing needs a
// recorded opt-in), suppression (an opt-out or complaint stops marketing; an
// invalid number or a manual block stops everything), preference (a customer
// may refuse a category), frequency caps in rolling windows, quiet hours in
// the recipient's time zone (defer, never drop), and hygiene (no
// interaction for six months leaves marketing audiences). docs/policy.md
// describes each, with the defaults.
package policy
