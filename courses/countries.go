package courses

import (
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryCodes are the ISO 3166-1 alpha-2 codes of countries and territories.
var countryCodes = strings.Fields(`
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`)

var countrySet = func() map[string]bool {
	m := make(map[string]bool, len(countryCodes))
	for _, c := range countryCodes {
		m[c] = true
	}
	return m
}()

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code.
func ValidCountry(code string) bool { return countrySet[code] }

// Country is a code with its name in one language.
type Country struct {
	Code string
	Name string
}

// CountryName is the name of code in lang, or the code itself when unknown.
func CountryName(code, lang string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(lang)).Name(r); n != "" {
		return n
	}
	return code
}

// Countries lists every country with its name in lang, in that language's alphabetical order.
func Countries(lang string) []Country {
	tag := language.Make(lang)
	namer := display.Regions(tag)
	list := make([]Country, 0, len(countryCodes))
	names := make([]string, 0, len(countryCodes))
	byName := make(map[string]string, len(countryCodes))
	for _, c := range countryCodes {
		n := namer.Name(language.MustParseRegion(c))
		if n == "" {
			n = c
		}
		names = append(names, n)
		byName[n] = c
	}
	collate.New(tag, collate.Loose).SortStrings(names)
	for _, n := range names {
		list = append(list, Country{Code: byName[n], Name: n})
	}
	return list
}
