package courses

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Role is what a user may do in the school.
type Role string

const (
	RoleTrainee    Role = "trainee"
	RoleInstructor Role = "instructor"
	RoleAdmin      Role = "admin"
)

// Roles lists every role, lowest privilege first.
var Roles = []Role{RoleTrainee, RoleInstructor, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Sector is where a trainee works; reports are disaggregated by it.
type Sector string

const (
	SectorPolice       Sector = "police"
	SectorMedia        Sector = "media"
	SectorLocalGov     Sector = "local_government"
	SectorCivilSociety Sector = "civil_society"
	SectorOther        Sector = "other"
)

// Sectors lists every sector in the order forms show them.
var Sectors = []Sector{SectorPolice, SectorMedia, SectorLocalGov, SectorCivilSociety, SectorOther}

// Gender is optional; the empty value means "not answered".
type Gender string

const (
	GenderWoman       Gender = "woman"
	GenderMan         Gender = "man"
	GenderAnother     Gender = "another"
	GenderUndisclosed Gender = "undisclosed"
)

// Genders lists every answer forms offer.
var Genders = []Gender{GenderWoman, GenderMan, GenderAnother, GenderUndisclosed}

// Languages Aula teaches and speaks, the default first.
var Languages = []string{"es", "en", "pt"}

// DefaultLanguage is used when nothing else says which language to speak.
const DefaultLanguage = "es"

// ValidLanguage reports whether Aula speaks lang.
func ValidLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Password length bounds (OWASP ASVS 2.1.1, 2.1.2): long passphrases allowed, no composition rules.
const (
	PasswordMinLength = 12
	PasswordMaxLength = 128
)

// User is a person with an account.
type User struct {
	ID          int64
	Email       string
	FullName    string
	Country     string // ISO 3166-1 alpha-2, "" when not given
	Institution string
	Sector      Sector // "" when not given
	Gender      Gender // "" when not answered
	Language    string
	Role        Role
	Active      bool
}

// Profile is what a person says about themselves, at registration and on the profile page.
type Profile struct {
	FullName    string
	Email       string
	Country     string
	Institution string
	Sector      string
	Gender      string
	Language    string
}

// FieldErrors maps a form field to the translation key of what is wrong with it.
type FieldErrors map[string]string

// NormalizeEmail trims an address and lower-cases it, so that the same person is one account.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Clean trims every field of p.
func (p Profile) Clean() Profile {
	p.FullName = strings.Join(strings.Fields(p.FullName), " ")
	p.Email = NormalizeEmail(p.Email)
	p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	p.Institution = strings.TrimSpace(p.Institution)
	p.Sector = strings.TrimSpace(p.Sector)
	p.Gender = strings.TrimSpace(p.Gender)
	p.Language = strings.TrimSpace(p.Language)
	return p
}

// Validate checks a cleaned profile and says, per field, what is wrong.
func (p Profile) Validate() FieldErrors {
	errs := FieldErrors{}
	switch n := utf8.RuneCountInString(p.FullName); {
	case n == 0:
		errs["full_name"] = "error.full_name.required"
	case !ValidLine(p.FullName):
		errs["full_name"] = KeyBadCharacters
	case n > MaxNameLength:
		errs["full_name"] = "error.full_name.too_long"
	}
	if msg := ValidateEmail(p.Email); msg != "" {
		errs["email"] = msg
	}
	if p.Country == "" {
		errs["country"] = "error.country.required"
	} else if !ValidCountry(p.Country) {
		errs["country"] = "error.country.invalid"
	}
	switch n := utf8.RuneCountInString(p.Institution); {
	case n == 0:
		errs["institution"] = "error.institution.required"
	case !ValidLine(p.Institution):
		errs["institution"] = KeyBadCharacters
	case n > MaxInstitutionLength:
		errs["institution"] = "error.institution.too_long"
	}
	if p.Sector == "" {
		errs["sector"] = "error.sector.required"
	} else if !validSector(Sector(p.Sector)) {
		errs["sector"] = "error.sector.invalid"
	}
	if p.Gender != "" && !validGender(Gender(p.Gender)) {
		errs["gender"] = "error.gender.invalid"
	}
	if !ValidLanguage(p.Language) {
		errs["language"] = "error.language.invalid"
	}
	return errs
}

// ValidateEmail returns the translation key of what is wrong with a normalized address, or "".
func ValidateEmail(email string) string {
	if email == "" {
		return "error.email.required"
	}
	if !ValidLine(email) {
		return KeyBadCharacters
	}
	if utf8.RuneCountInString(email) > MaxEmailLength {
		return "error.email.too_long"
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "error.email.invalid"
	}
	return ""
}

// ValidatePassword returns the translation key of what is wrong with a new password, or "".
func ValidatePassword(password string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case !ValidLine(password):
		return KeyBadCharacters
	case n < PasswordMinLength:
		return "error.password.too_short"
	case n > PasswordMaxLength:
		return "error.password.too_long"
	}
	return ""
}

func validSector(s Sector) bool {
	for _, x := range Sectors {
		if s == x {
			return true
		}
	}
	return false
}

func validGender(g Gender) bool {
	for _, x := range Genders {
		if g == x {
			return true
		}
	}
	return false
}
