// Package sms knows what an SMS costs and how it reads: GSM 03.38 (3GPP TS
// 23.038) and UCS-2 encoding, segment counting and splitting, personal
// templates with fallbacks, signature and opt-out composition, a starter
// library of scenario templates, and a copy lint that checks marketing text
// against the rules merchants quote (offer first, concrete amounts, a
// deadline, a call to action, 65-75 characters, signature and opt-out).
//
// The package is pure: no database, no clock, no I/O beyond its embedded
// starter library. Gateways use the encoders; the console and the API use
// CountText and Lint live as the merchant types.
package sms
