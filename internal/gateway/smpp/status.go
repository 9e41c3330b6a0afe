package smpp

import "fmt"

// Status is an SMPP command_status value (SMPP 3.4 section 5.1.3).
type Status uint32

// Command status values from SMPP 3.4 section 5.1.3. The names are the ones
// the specification uses so that they can be grepped against it and against
// SMSC documentation.
const (
	ESME_ROK              Status = 0x00000000 // No error.
	ESME_RINVMSGLEN       Status = 0x00000001 // Message length is invalid.
	ESME_RINVCMDLEN       Status = 0x00000002 // Command length is invalid.
	ESME_RINVCMDID        Status = 0x00000003 // Invalid command id.
	ESME_RINVBNDSTS       Status = 0x00000004 // Incorrect bind status for given command.
	ESME_RALYBND          Status = 0x00000005 // ESME already in bound state.
	ESME_RINVPRTFLG       Status = 0x00000006 // Invalid priority flag.
	ESME_RINVREGDLVFLG    Status = 0x00000007 // Invalid registered delivery flag.
	ESME_RSYSERR          Status = 0x00000008 // System error.
	ESME_RINVSRCADR       Status = 0x0000000A // Invalid source address.
	ESME_RINVDSTADR       Status = 0x0000000B // Invalid destination address.
	ESME_RINVMSGID        Status = 0x0000000C // Message id is invalid.
	ESME_RBINDFAIL        Status = 0x0000000D // Bind failed.
	ESME_RINVPASWD        Status = 0x0000000E // Invalid password.
	ESME_RINVSYSID        Status = 0x0000000F // Invalid system id.
	ESME_RCANCELFAIL      Status = 0x00000011 // cancel_sm failed.
	ESME_RREPLACEFAIL     Status = 0x00000013 // replace_sm failed.
	ESME_RMSGQFUL         Status = 0x00000014 // Message queue full.
	ESME_RINVSERTYP       Status = 0x00000015 // Invalid service type.
	ESME_RINVNUMDESTS     Status = 0x00000033 // Invalid number of destinations.
	ESME_RINVDLNAME       Status = 0x00000034 // Invalid distribution list name.
	ESME_RINVDESTFLAG     Status = 0x00000040 // Destination flag is invalid.
	ESME_RINVSUBREP       Status = 0x00000042 // Invalid submit with replace request.
	ESME_RINVESMCLASS     Status = 0x00000043 // Invalid esm_class field data.
	ESME_RCNTSUBDL        Status = 0x00000044 // Cannot submit to distribution list.
	ESME_RSUBMITFAIL      Status = 0x00000045 // submit_sm or submit_multi failed.
	ESME_RINVSRCTON       Status = 0x00000048 // Invalid source address TON.
	ESME_RINVSRCNPI       Status = 0x00000049 // Invalid source address NPI.
	ESME_RINVDSTTON       Status = 0x00000050 // Invalid destination address TON.
	ESME_RINVDSTNPI       Status = 0x00000051 // Invalid destination address NPI.
	ESME_RINVSYSTYP       Status = 0x00000053 // Invalid system_type field.
	ESME_RINVREPFLAG      Status = 0x00000054 // Invalid replace_if_present flag.
	ESME_RINVNUMMSGS      Status = 0x00000055 // Invalid number of messages.
	ESME_RTHROTTLED       Status = 0x00000058 // Throttling error: the ESME exceeded allowed message limits.
	ESME_RINVSCHED        Status = 0x00000061 // Invalid scheduled delivery time.
	ESME_RINVEXPIRY       Status = 0x00000062 // Invalid validity period.
	ESME_RINVDFTMSGID     Status = 0x00000063 // Predefined message invalid or not found.
	ESME_RX_T_APPN        Status = 0x00000064 // ESME receiver temporary application error.
	ESME_RX_P_APPN        Status = 0x00000065 // ESME receiver permanent application error.
	ESME_RX_R_APPN        Status = 0x00000066 // ESME receiver reject message error.
	ESME_RQUERYFAIL       Status = 0x00000067 // query_sm request failed.
	ESME_RINVOPTPARSTREAM Status = 0x000000C0 // Error in the optional part of the PDU body.
	ESME_ROPTPARNOTALLWD  Status = 0x000000C1 // Optional parameter not allowed.
	ESME_RINVPARLEN       Status = 0x000000C2 // Invalid parameter length.
	ESME_RMISSINGOPTPARAM Status = 0x000000C3 // Expected optional parameter missing.
	ESME_RINVOPTPARAMVAL  Status = 0x000000C4 // Invalid optional parameter value.
	ESME_RDELIVERYFAILURE Status = 0x000000FE // Delivery failure (data_sm_resp).
	ESME_RUNKNOWNERR      Status = 0x000000FF // Unknown error.
)

var statusNames = map[Status]string{
	ESME_ROK: "ESME_ROK", ESME_RINVMSGLEN: "ESME_RINVMSGLEN", ESME_RINVCMDLEN: "ESME_RINVCMDLEN",
	ESME_RINVCMDID: "ESME_RINVCMDID", ESME_RINVBNDSTS: "ESME_RINVBNDSTS", ESME_RALYBND: "ESME_RALYBND",
	ESME_RINVPRTFLG: "ESME_RINVPRTFLG", ESME_RINVREGDLVFLG: "ESME_RINVREGDLVFLG", ESME_RSYSERR: "ESME_RSYSERR",
	ESME_RINVSRCADR: "ESME_RINVSRCADR", ESME_RINVDSTADR: "ESME_RINVDSTADR", ESME_RINVMSGID: "ESME_RINVMSGID",
	ESME_RBINDFAIL: "ESME_RBINDFAIL", ESME_RINVPASWD: "ESME_RINVPASWD", ESME_RINVSYSID: "ESME_RINVSYSID",
	ESME_RCANCELFAIL: "ESME_RCANCELFAIL", ESME_RREPLACEFAIL: "ESME_RREPLACEFAIL", ESME_RMSGQFUL: "ESME_RMSGQFUL",
	ESME_RINVSERTYP: "ESME_RINVSERTYP", ESME_RINVNUMDESTS: "ESME_RINVNUMDESTS", ESME_RINVDLNAME: "ESME_RINVDLNAME",
	ESME_RINVDESTFLAG: "ESME_RINVDESTFLAG", ESME_RINVSUBREP: "ESME_RINVSUBREP", ESME_RINVESMCLASS: "ESME_RINVESMCLASS",
	ESME_RCNTSUBDL: "ESME_RCNTSUBDL", ESME_RSUBMITFAIL: "ESME_RSUBMITFAIL", ESME_RINVSRCTON: "ESME_RINVSRCTON",
	ESME_RINVSRCNPI: "ESME_RINVSRCNPI", ESME_RINVDSTTON: "ESME_RINVDSTTON", ESME_RINVDSTNPI: "ESME_RINVDSTNPI",
	ESME_RINVSYSTYP: "ESME_RINVSYSTYP", ESME_RINVREPFLAG: "ESME_RINVREPFLAG", ESME_RINVNUMMSGS: "ESME_RINVNUMMSGS",
	ESME_RTHROTTLED: "ESME_RTHROTTLED", ESME_RINVSCHED: "ESME_RINVSCHED", ESME_RINVEXPIRY: "ESME_RINVEXPIRY",
	ESME_RINVDFTMSGID: "ESME_RINVDFTMSGID", ESME_RX_T_APPN: "ESME_RX_T_APPN", ESME_RX_P_APPN: "ESME_RX_P_APPN",
	ESME_RX_R_APPN: "ESME_RX_R_APPN", ESME_RQUERYFAIL: "ESME_RQUERYFAIL", ESME_RINVOPTPARSTREAM: "ESME_RINVOPTPARSTREAM",
	ESME_ROPTPARNOTALLWD: "ESME_ROPTPARNOTALLWD", ESME_RINVPARLEN: "ESME_RINVPARLEN",
	ESME_RMISSINGOPTPARAM: "ESME_RMISSINGOPTPARAM", ESME_RINVOPTPARAMVAL: "ESME_RINVOPTPARAMVAL",
	ESME_RDELIVERYFAILURE: "ESME_RDELIVERYFAILURE", ESME_RUNKNOWNERR: "ESME_RUNKNOWNERR",
}

// String returns the specification's name for s, or its hex value when the
// status is not one the specification defines (vendor codes 0x400-0x4FF).
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("0x%08X", uint32(s))
}

// Throttling reports whether s asks the sender to slow down rather than
// saying anything about the message: the same submit is expected to succeed
// later, so the client pauses and retries it instead of failing it.
func (s Status) Throttling() bool {
	return s == ESME_RTHROTTLED || s == ESME_RMSGQFUL
}

// Temporary reports whether a submit refused with s may succeed if it is sent
// again later unchanged. Throttling, a full queue, system errors and the
// receiver's temporary application error are temporary; address, encoding and
// parameter errors are not, since resending the same bytes cannot help.
// Unknown (vendor-specific) codes are treated as permanent so that a
// misbehaving SMSC cannot make a dispatcher loop forever.
func (s Status) Temporary() bool {
	switch s {
	case ESME_RTHROTTLED, ESME_RMSGQFUL, ESME_RSYSERR, ESME_RX_T_APPN,
		ESME_RSUBMITFAIL, ESME_RBINDFAIL, ESME_RINVBNDSTS, ESME_RUNKNOWNERR:
		return true
	}
	return false
}
