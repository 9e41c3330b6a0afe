// Package smpp is nudge's own SMPP 3.4 client: a byte-exact PDU codec, the
// text and long-message rules of data_coding 0 and 8, delivery receipt and
// mobile-originated message handling, and a pool of bound sessions with
// windowing, keep-alive, reconnect and throttle back-off.
//
// No Go SMPP module can be fetched for this project, so the codec is written
// from the SMPP 3.4 specification (Issue 1.2) and tested byte for byte against
// its field tables and, in TestInteropNodeSMPP, against an independent peer
// (the npm package smpp playing the SMSC).
//
// Only the operations an ESME needs to send and receive SMS are implemented:
// bind_transmitter, bind_receiver, bind_transceiver, submit_sm, deliver_sm,
// enquire_link, unbind and generic_nack, each with its response. Any other
// command decodes as *Unknown so that a session can answer it with
// generic_nack.
package smpp
