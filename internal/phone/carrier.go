package phone

import "strings"

// Carrier is a Chinese mobile network operator.
type Carrier string

// The four operators that hold mobile number ranges in mainland China.
const (
	ChinaMobile    Carrier = "china_mobile"
	ChinaUnicom    Carrier = "china_unicom"
	ChinaTelecom   Carrier = "china_telecom"
	ChinaBroadcast Carrier = "china_broadcast"
)

// prefixes maps the leading digits of a national number to its operator, as
// allocated by the MIIT (including MVNO ranges, which ride on a host network,
// and data-only/IoT ranges). Four-digit entries override three-digit ones.
var prefixes = map[string]Carrier{
	// China Mobile
	"134": ChinaMobile, "135": ChinaMobile, "136": ChinaMobile, "137": ChinaMobile,
	"138": ChinaMobile, "139": ChinaMobile, "147": ChinaMobile, "148": ChinaMobile,
	"150": ChinaMobile, "151": ChinaMobile, "152": ChinaMobile, "157": ChinaMobile,
	"158": ChinaMobile, "159": ChinaMobile, "165": ChinaMobile, "172": ChinaMobile,
	"178": ChinaMobile, "182": ChinaMobile, "183": ChinaMobile, "184": ChinaMobile,
	"187": ChinaMobile, "188": ChinaMobile, "195": ChinaMobile, "197": ChinaMobile,
	"198": ChinaMobile, "1440": ChinaMobile, "1703": ChinaMobile, "1705": ChinaMobile,
	"1706": ChinaMobile,
	// China Unicom
	"130": ChinaUnicom, "131": ChinaUnicom, "132": ChinaUnicom, "145": ChinaUnicom,
	"146": ChinaUnicom, "155": ChinaUnicom, "156": ChinaUnicom, "166": ChinaUnicom,
	"167": ChinaUnicom, "171": ChinaUnicom, "175": ChinaUnicom, "176": ChinaUnicom,
	"185": ChinaUnicom, "186": ChinaUnicom, "196": ChinaUnicom, "1704": ChinaUnicom,
	"1707": ChinaUnicom, "1708": ChinaUnicom, "1709": ChinaUnicom,
	// China Telecom (1349 is the satellite range inside China Mobile's 134)
	"133": ChinaTelecom, "149": ChinaTelecom, "153": ChinaTelecom, "162": ChinaTelecom,
	"173": ChinaTelecom, "174": ChinaTelecom, "177": ChinaTelecom, "180": ChinaTelecom,
	"181": ChinaTelecom, "189": ChinaTelecom, "190": ChinaTelecom, "191": ChinaTelecom,
	"193": ChinaTelecom, "199": ChinaTelecom, "1349": ChinaTelecom, "1700": ChinaTelecom,
	"1701": ChinaTelecom, "1702": ChinaTelecom,
	// China Broadcast Network
	"192": ChinaBroadcast,
}

// CarrierOf returns the operator of a Chinese mobile number given in E.164
// (+86...) or as eleven national digits, or "" when the prefix is not a
// mobile range.
func CarrierOf(number string) Carrier {
	national := strings.TrimPrefix(number, "+86")
	if len(national) != 11 {
		return ""
	}
	if c, ok := prefixes[national[:4]]; ok {
		return c
	}
	// 170 is split between operators by its fourth digit; an unlisted
	// fourth digit is not allocated.
	if national[:3] == "170" {
		return ""
	}
	return prefixes[national[:3]]
}
