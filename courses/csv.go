package courses

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	utf16 "golang.org/x/text/encoding/unicode"
)

// EnrolmentRow is one person to enrol, read from a spreadsheet.
type EnrolmentRow struct {
	Line    int     // 1-based line number in the file (header is line 1)
	Profile Profile // cleaned and valid
}

// RowError is one problem in an enrolment file. Key is a translation key; Args
// fill its placeholders. Field is the profile field (email, full_name, country,
// institution, sector, gender, language) or "" for the whole row. Line is the
// line the row starts on, or 0 for a problem with the whole file.
type RowError struct {
	Line  int
	Field string
	Key   string
	Args  map[string]any
}

// Error is a fallback for logs and tests: "line N: field: key args".
func (e RowError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Key)
	for _, k := range SortKeys(e.Args) {
		fmt.Fprintf(&b, " %s=%v", k, e.Args[k])
	}
	return b.String()
}

// Limits on enrolment files: ten thousand people is more than any programme
// enrols at once, and a preview page of more would be unusable. The byte limit
// stops a file that is not a list of people (or a quote never closed, which
// makes one field of everything after it) from filling memory.
const (
	MaxEnrolmentRows  = 10000
	MaxEnrolmentBytes = 16 << 20
)

// enrolmentColumns are the columns an enrolment file may have, named as the
// profile fields they fill, in the order a row's errors are listed.
var enrolmentColumns = []string{"email", "full_name", "country", "institution", "sector", "gender", "language"}

const (
	colEmail = iota
	colFullName
	colCountry
	colInstitution
	colSector
	colGender
	colLanguage
	// colSurname is a surname column: many lists split names in two, and
	// importing the first part alone would lose everyone's surname. It is
	// appended to the name column and reported as full_name.
	colSurname
)

// enrolmentField is the profile field a column fills.
func enrolmentField(col int) string {
	if col == colSurname {
		return "full_name"
	}
	return enrolmentColumns[col]
}

// enrolmentHeaderSynonyms are the header names people write in Spanish,
// Portuguese and English, matched by enrolmentHeaderKey (so case, accents,
// spaces, dashes and underscores do not matter).
var enrolmentHeaderSynonyms = [][]string{
	colEmail: {"email", "e-mail", "mail", "email address", "correo", "correo electrónico", "correo-e",
		"dirección de correo", "dirección de correo electrónico", "endereço de e-mail", "endereço eletrônico"},
	colFullName: {"full name", "name", "first name", "given name", "nombre", "nombres", "nombre completo",
		"nombre y apellido", "nombre y apellidos", "nombres y apellidos", "nome", "nome completo", "primeiro nome", "prenome"},
	colCountry: {"country", "país"},
	colInstitution: {"institution", "institución", "instituição", "organization", "organisation", "organización",
		"organização", "entidad", "entidade"},
	colSector:   {"sector", "setor"},
	colGender:   {"gender", "género", "gênero", "sexo", "sex"},
	colLanguage: {"language", "preferred language", "idioma", "idioma preferido", "lengua", "língua"},
	colSurname:  {"surname", "surnames", "last name", "family name", "apellido", "apellidos", "sobrenome", "apelido"},
}

var enrolmentHeaders = func() map[string]int {
	m := map[string]int{}
	for col, names := range enrolmentHeaderSynonyms {
		for _, n := range names {
			m[enrolmentHeaderKey(n)] = col
		}
	}
	return m
}()

// enrolmentHeaderKey folds a header name to lower-case ASCII letters and digits.
func enrolmentHeaderKey(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, strings.ToLower(foldAccents(s)))
}

// csvValueKey folds a cell to lower-case words without accents or punctuation:
// "Policía y Seguridad" → "policia y seguridad", "local_government" → "local government".
func csvValueKey(s string) string {
	s = strings.ToLower(foldAccents(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// csvWords maps folded words in es/en/pt, the codes and Aula's own labels
// among them, to a code.
func csvWords(words map[string][]string) map[string]string {
	m := map[string]string{}
	for code, list := range words {
		m[csvValueKey(code)] = code
		for _, w := range list {
			m[csvValueKey(w)] = code
		}
	}
	return m
}

var csvSectors = csvWords(map[string][]string{
	string(SectorPolice): {"policía", "polícia", "police and security", "policía y seguridad", "polícia e segurança",
		"seguridad", "security", "segurança", "fuerzas de seguridad", "security forces", "forças de segurança"},
	string(SectorMedia): {"medios", "medios de comunicación", "meios de comunicação", "prensa", "press", "imprensa",
		"mídia", "periodismo", "journalism", "jornalismo", "comunicación", "comunicação"},
	string(SectorLocalGov): {"gobierno local", "governo local", "municipalidad", "municipio", "município",
		"alcaldía", "gobierno municipal", "prefeitura", "municipality", "municipal government"},
	string(SectorCivilSociety): {"sociedad civil", "sociedade civil", "ong", "ngo", "osc"},
	string(SectorOther):        {"otro", "otra", "outro", "outra"},
})

var csvGenders = csvWords(map[string][]string{
	string(GenderWoman): {"mujer", "mulher", "female", "femenino", "femenina", "feminino"},
	string(GenderMan):   {"hombre", "homem", "male", "masculino"},
	string(GenderAnother): {"another gender", "otro género", "outro gênero", "other gender", "otro", "otra",
		"outro", "outra", "other", "no binario", "no binaria", "não binário", "non binary", "nonbinary"},
	string(GenderUndisclosed): {"prefer not to say", "rather not say", "prefiero no decirlo", "prefiero no decir",
		"prefiero no responder", "prefiro não dizer", "prefiro não responder", "no responde", "ns nr"},
})

var csvLanguages = csvWords(map[string][]string{
	"es": {"español", "espanhol", "castellano", "spanish"},
	"en": {"inglés", "inglês", "english"},
	"pt": {"portugués", "português", "portuguese"},
})

// csvCountries maps country names in every language Aula speaks to their codes.
// It is built on first use: naming 250 countries three times is not free.
var csvCountries = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, lang := range Languages {
		for _, c := range Countries(lang) {
			if k := csvCountryKey(c.Name); k != "" {
				if _, taken := m[k]; !taken {
					m[k] = c.Code
				}
			}
		}
	}
	return m
})

// csvCountry reads a code in any case, or a name in es/en/pt. What it cannot
// read is passed on as typed, for Validate to refuse.
func csvCountry(s string) string {
	if k := csvValueKey(s); len(k) == 2 {
		return strings.ToUpper(k)
	}
	if code, ok := csvCountries()[csvCountryKey(s)]; ok {
		return code
	}
	return s
}

// csvCountryKey folds a country name and drops the word joining its parts, so
// that "Trinidad and Tobago" finds the "Trinidad & Tobago" of the names list.
func csvCountryKey(s string) string {
	words := strings.Fields(csvValueKey(s))
	kept := words[:0]
	for _, w := range words {
		if w != "and" && w != "y" && w != "e" {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// csvLanguage reads a code, a language tag ("pt-BR") or the language's name; empty is Spanish.
func csvLanguage(s string) string {
	k := csvValueKey(s)
	if k == "" {
		return DefaultLanguage
	}
	if code, ok := csvLanguages[k]; ok {
		return code
	}
	if first, _, _ := strings.Cut(k, " "); ValidLanguage(first) {
		return first
	}
	return s
}

func csvLookup(words map[string]string, s string) string {
	if code, ok := words[csvValueKey(s)]; ok {
		return code
	}
	return s
}

// enrolmentRaw is a data row as read, before its values are interpreted.
type enrolmentRaw struct {
	line   int
	values [colSurname + 1]string
}

var csvBOM = []byte("\uFEFF")

// ParseEnrolmentCSV reads columns email, full name, country, institution, sector, gender, language (any order, by header name).
//
// It returns every valid row and every problem, so that a preview can show
// both; rows with a problem are left out of the rows. The first non-blank row
// is the header; email and full name columns are required, unknown columns are
// ignored, and a surname column, when the list splits names, is appended to
// the name. Fields are separated by commas or, as spreadsheets in Spanish and
// Portuguese save them, semicolons: whichever the header has more of. Blank
// rows, including rows of empty cells (";;;;"), are skipped. A problem with the
// whole file (empty, too many rows, too large) comes alone, on line 0.
//
// Gender letters follow the file's convention: F/M (feminine/masculine) unless
// the column has an H, which means the H/M (hombre/mujer) of Mexican and other
// Spanish-language forms; with F, H and M all present, M cannot be read.
func ParseEnrolmentCSV(r io.Reader) ([]EnrolmentRow, []RowError) {
	file, err := io.ReadAll(io.LimitReader(r, MaxEnrolmentBytes+1))
	switch {
	case len(file) > MaxEnrolmentBytes:
		return nil, []RowError{csvTooLarge()}
	case err != nil:
		return nil, []RowError{{Key: "error.csv.unreadable"}}
	}
	file = csvText(file)
	head := file[:min(len(file), 64<<10)]

	cr := csv.NewReader(bytes.NewReader(file))
	cr.Comma = csvDelimiter(head)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false

	var (
		columns []int // record index → column, -1 when ignored; nil until the header is read
		raws    []enrolmentRaw
		errs    []RowError
		data    int   // data rows read, blank ones apart
		readErr error // what stopped the reading before the end
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A misplaced quote spoils one row (or, never closed, the rest of
			// the file); the reader goes on after it. Anything else stops it.
			var pe *csv.ParseError
			if !errors.As(err, &pe) || !(errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote)) {
				readErr = err
				break
			}
			e := RowError{Line: pe.StartLine, Key: "error.csv.bad_quotes"}
			if columns == nil {
				return nil, []RowError{e}
			}
			if data++; data > MaxEnrolmentRows {
				return nil, []RowError{csvTooManyRows()}
			}
			errs = append(errs, e)
			continue
		}
		if csvBlank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		if columns == nil {
			var headerErrs []RowError
			columns, headerErrs = enrolmentHeader(rec, line)
			if headerErrs != nil {
				return nil, headerErrs
			}
			continue
		}
		if data++; data > MaxEnrolmentRows {
			return nil, []RowError{csvTooManyRows()}
		}
		if !csvValidText(rec) {
			errs = append(errs, RowError{Line: line, Key: "error.csv.bad_characters"})
			continue
		}
		raw := enrolmentRaw{line: line}
		for i, v := range rec {
			if i < len(columns) && columns[i] >= 0 {
				// A line break typed in a cell (Alt+Enter) is a space in a name.
				raw.values[columns[i]] = collapseSpaces(v)
			}
		}
		raws = append(raws, raw)
	}
	switch {
	case readErr != nil:
		return nil, []RowError{{Key: "error.csv.unreadable"}}
	case data == 0:
		return nil, []RowError{{Key: "error.csv.empty"}}
	}

	rows, rowErrs := enrolmentRows(raws)
	errs = append(errs, rowErrs...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return rows, errs
}

func csvTooManyRows() RowError {
	return RowError{Key: "error.csv.too_many_rows", Args: map[string]any{"Max": MaxEnrolmentRows}}
}

// enrolmentHeader maps a header row's cells to columns, or says what is wrong with it.
func enrolmentHeader(rec []string, line int) ([]int, []RowError) {
	if !csvValidText(rec) {
		return nil, []RowError{{Line: line, Key: "error.csv.bad_characters"}}
	}
	columns := make([]int, len(rec))
	seen := map[int]bool{}
	var errs []RowError
	for i, name := range rec {
		col, ok := enrolmentHeaders[enrolmentHeaderKey(name)]
		if !ok {
			columns[i] = -1
			continue
		}
		if seen[col] {
			// Two columns for one thing: taking either could silently import the wrong one.
			errs = append(errs, RowError{Line: line, Field: enrolmentField(col), Key: "error.csv.duplicate_column",
				Args: map[string]any{"Column": strings.TrimSpace(name)}})
		}
		seen[col] = true
		columns[i] = col
	}
	if !seen[colEmail] || !seen[colFullName] {
		errs = append(errs, RowError{Line: line, Key: "error.csv.missing_columns"})
	}
	return columns, errs
}

// enrolmentRows interprets and checks the rows once the whole file is read,
// since the gender letters depend on the whole column.
func enrolmentRows(raws []enrolmentRaw) ([]EnrolmentRow, []RowError) {
	letters := map[string]bool{}
	for _, raw := range raws {
		if k := csvValueKey(raw.values[colGender]); len(k) == 1 {
			letters[k] = true
		}
	}
	genderLetters := map[string]string{"f": string(GenderWoman), "m": string(GenderMan)}
	if letters["h"] {
		genderLetters = map[string]string{"f": string(GenderWoman), "h": string(GenderMan), "m": string(GenderWoman)}
		if letters["f"] {
			delete(genderLetters, "m")
		}
	}

	// A column of countries or sectors holds a handful of distinct values in
	// thousands of rows: each is interpreted once.
	country, sector := csvMemo(csvCountry), csvMemo(func(s string) string { return csvLookup(csvSectors, s) })
	gender, language := csvMemo(func(s string) string { return csvLookup(csvGenders, s) }), csvMemo(csvLanguage)

	rows := make([]EnrolmentRow, 0, len(raws))
	var errs []RowError
	firstLine := make(map[string]int, len(raws))
	for _, raw := range raws {
		v := raw.values
		p := Profile{
			Email:       v[colEmail],
			FullName:    v[colFullName] + " " + v[colSurname], // Clean trims the space when there is no surname
			Country:     country(v[colCountry]),
			Institution: v[colInstitution],
			Sector:      sector(v[colSector]),
			Gender:      gender(v[colGender]),
			Language:    language(v[colLanguage]),
		}
		fieldErrs := map[string]RowError{}
		if k := csvValueKey(v[colGender]); len(k) == 1 {
			if g, ok := genderLetters[k]; ok {
				p.Gender = g
			} else if letters["h"] && k == "m" {
				fieldErrs["gender"] = RowError{Key: "error.csv.gender_ambiguous"}
			}
		}
		p = p.Clean()
		for field, key := range p.Validate() {
			if _, set := fieldErrs[field]; !set {
				fieldErrs[field] = RowError{Key: key}
			}
		}
		if _, bad := fieldErrs["email"]; !bad {
			if first, dup := firstLine[p.Email]; dup {
				fieldErrs["email"] = RowError{Key: "error.csv.duplicate_in_file", Args: map[string]any{"First": first}}
			} else {
				firstLine[p.Email] = raw.line
			}
		}
		if len(fieldErrs) == 0 {
			rows = append(rows, EnrolmentRow{Line: raw.line, Profile: p})
			continue
		}
		for _, field := range enrolmentColumns {
			if e, ok := fieldErrs[field]; ok {
				e.Line, e.Field = raw.line, field
				errs = append(errs, e)
			}
		}
	}
	return rows, errs
}

// csvMemo remembers f's answers.
func csvMemo(f func(string) string) func(string) string {
	seen := map[string]string{}
	return func(s string) string {
		v, ok := seen[s]
		if !ok {
			v = f(s)
			seen[s] = v
		}
		return v
	}
}

// collapseSpaces trims s and makes every run of white space one space, without
// allocating when s is already so (as nearly every cell is).
func collapseSpaces(s string) string {
	space := true // the previous rune was a space, or this is the start
	for _, r := range s {
		if !unicode.IsSpace(r) {
			space = false
			continue
		}
		if r != ' ' || space {
			return strings.Join(strings.Fields(s), " ")
		}
		space = true
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

// csvDelimiter picks ';' when the first non-blank line has more semicolons than
// commas outside quotes, else ','.
func csvDelimiter(head []byte) rune {
	for _, line := range bytes.Split(head, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		commas, semicolons, tabs, quoted := 0, 0, 0, false
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case quoted:
			case c == ',':
				commas++
			case c == ';':
				semicolons++
			case c == '\t':
				tabs++ // Excel's "Unicode text"
			}
		}
		switch {
		case tabs > commas && tabs > semicolons:
			return '\t'
		case semicolons > commas:
			return ';'
		}
		return ','
	}
	return ','
}

// csvBlank reports whether every cell of a record is empty or spaces.
func csvBlank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// csvValidText reports whether every cell is text: a control character in a name is a
// file that was not a list of people, or one spoilt on the way.
func csvValidText(rec []string) bool {
	for _, v := range rec {
		if !ValidText(v) {
			return false
		}
	}
	return true
}

func csvTooLarge() RowError {
	return RowError{Key: "error.csv.too_large", Args: map[string]any{"Max": MaxEnrolmentBytes >> 20}}
}

// csvText returns a file's text as UTF-8, without a byte-order mark. A file that is not
// valid UTF-8 is read as Windows-1252: what Excel saves as "CSV" on Windows in Spanish and
// Portuguese, and a superset of Latin-1. Every byte sequence means something in it, so
// the guess never fails; a UTF-8 file is never mistaken for it, since accented letters in
// Windows-1252 are not valid UTF-8.
// Excel's "Unicode text" is UTF-16 with a byte-order mark (and tabs between cells): it is
// read as such.
func csvText(data []byte) []byte {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		decoded, err := utf16.UTF16(utf16.BigEndian, utf16.ExpectBOM).NewDecoder().Bytes(data)
		if err == nil {
			return decoded
		}
	}
	data = bytes.TrimPrefix(data, csvBOM)
	if utf8.Valid(data) {
		return data
	}
	decoded, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil { // the decoder maps every byte; kept for the day it does not
		return data
	}
	return decoded
}

// CSVCell neutralises a cell that a spreadsheet would run as a formula: one starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe.
// Exports hold what trainees typed (names, institutions), and a name like
// "=HYPERLINK(...)" must not become a live formula on an administrator's
// machine (OWASP "CSV injection"). The apostrophe shows in the cell: a negative
// number or a phone number like +54… is exported as text, which is the price.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// WriteCSV writes rows with every cell passed through CSVCell, with a UTF-8 BOM so Excel reads accents, and CRLF line ends.
// Fields are separated by commas. A carriage return inside a cell is dropped
// by encoding/csv in CRLF mode; a line feed is kept (written as CRLF inside quotes).
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := w.Write(csvBOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	cells := []string{}
	for _, row := range rows {
		cells = cells[:0]
		for _, c := range row {
			cells = append(cells, CSVCell(c))
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
