package courses

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"
)

func parseCSVString(s string) ([]EnrolmentRow, []RowError) {
	return ParseEnrolmentCSV(strings.NewReader(s))
}

func readCSVFixture(t *testing.T, name string) ([]EnrolmentRow, []RowError) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "csv", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ParseEnrolmentCSV(f)
}

// rowErrorList writes errors as "line N: field: key args", one per line, for comparisons that read well when they fail.
func rowErrorList(errs []RowError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

func TestParseEnrolmentCSVReadsTheFixtures(t *testing.T) {
	tests := []struct {
		file string
		rows []EnrolmentRow
		errs string
	}{
		{"es_semicolon_bom.csv", []EnrolmentRow{
			{2, Profile{"Ana María Pérez", "ana.perez@example.org", "GT", "Policía Nacional Civil", "police", "woman", "es"}},
			{3, Profile{"José Núñez", "jose.nunez@example.org", "SV", "Alcaldía de San Salvador; Distrito 1", "local_government", "man", "es"}},
			{4, Profile{"Lucía Gómez", "lucia@example.org", "MX", `Radio Comunitaria "La Voz"`, "media", "undisclosed", "en"}},
			// Line 5 is a row of empty cells; this row's institution spans lines 6 and 7.
			{6, Profile{"João Conceição", "joao@example.org", "BR", "Prefeitura de Recife Secretaria de Segurança", "local_government", "man", "pt"}},
			{8, Profile{"Rosa Ñáñez", "rosa@example.org", "HN", "Secretaría de Seguridad", "civil_society", "another", "es"}},
		}, ""},
		{"en_comma.csv", []EnrolmentRow{
			{2, Profile{"Camila Rojas", "camila.rojas@example.org", "CO", "El Tiempo", "media", "woman", "en"}},
			{3, Profile{"Peter Smith", "peter@example.org", "JM", "Jamaica Constabulary Force", "police", "man", "en"}},
			{5, Profile{"Marie Dupont", "marie@example.org", "TT", "Caribbean Policy Research Institute", "civil_society", "", "es"}},
		}, ""},
		{"pt_comma.csv", []EnrolmentRow{
			{2, Profile{"Maria da Silva", "maria.silva@example.org", "BR", "Polícia Militar de Minas Gerais", "police", "woman", "pt"}},
			{3, Profile{"Antônio Souza", "antonio@example.org", "MZ", "Jornal Notícias", "media", "undisclosed", "pt"}},
		}, ""},
		{"row_errors.csv", []EnrolmentRow{
			{2, Profile{"Uno", "ok1@example.org", "GT", "Policía Nacional Civil, Sección de Formación", "police", "", "es"}},
			{14, Profile{"Diez", "diez@example.org", "CR", "Fuerza Pública", "police", "", "es"}},
		}, `line 4: email: error.email.invalid
line 5: full_name: error.full_name.required
line 6: country: error.country.invalid
line 7: institution: error.institution.required
line 8: sector: error.sector.invalid
line 9: gender: error.gender.invalid
line 10: language: error.language.invalid
line 12: email: error.csv.duplicate_in_file First=2
line 13: country: error.country.required
line 13: sector: error.sector.required
`},
		{"windows1252.csv", []EnrolmentRow{
			{2, Profile{"Ana", "ana@example.org", "GT", "PNC", "police", "", "es"}},
			{3, Profile{"José Núñez", "jose@example.org", "SV", "Policía", "police", "", "es"}},
			{4, Profile{"Luis", "luis@example.org", "HN", "PNC", "police", "", "es"}},
		}, ""},
		{"bad_quotes.csv", []EnrolmentRow{
			{3, Profile{"Luis", "luis@example.org", "HN", "PNC", "police", "", "es"}},
			{5, Profile{"Carla", "carla@example.org", "HN", "PNC", "police", "", "es"}},
		}, "line 2: error.csv.bad_quotes\nline 4: error.csv.bad_quotes\n"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows, errs := readCSVFixture(t, tt.file)
			if got := rowErrorList(errs); got != tt.errs {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.errs)
			}
			if !reflect.DeepEqual(rows, tt.rows) {
				t.Errorf("rows:\n%+v\nwant:\n%+v", rows, tt.rows)
			}
		})
	}
}

func TestParseEnrolmentCSVMatchesHeaderSynonymsInAnyOrder(t *testing.T) {
	want := Profile{"Ana Pérez", "ana@example.org", "GT", "PNC", "police", "woman", "pt"}
	value := map[string]string{"email": "ana@example.org", "name": "Ana Pérez", "country": "GT", "institution": "PNC",
		"sector": "police", "gender": "woman", "language": "pt", "x": "ignored"}
	tests := []struct {
		name    string
		comma   string
		headers []string // "header=column"
	}{
		{"English", ",", []string{"Email=email", "Full name=name", "Country=country", "Institution=institution", "Sector=sector", "Gender=gender", "Language=language"}},
		{"case and spaces", ",", []string{" EMAIL =email", "FULL  NAME=name", "COUNTRY =country", "institution=institution", " Sector=sector", "GENDER=gender", "language=language"}},
		{"field names", ",", []string{"full_name=name", "e_mail=email", "language=language", "gender=gender", "sector=sector", "institution=institution", "country=country"}},
		{"Spanish", ";", []string{"Correo electrónico=email", "Nombre completo=name", "País=country", "Institución=institution", "Sector=sector", "Género=gender", "Idioma=language"}},
		{"Spanish without accents", ";", []string{"correo electronico=email", "nombre=name", "pais=country", "institucion=institution", "sector=sector", "genero=gender", "lengua=language"}},
		{"Spanish, other words", ";", []string{"Nombres y apellidos=name", "Correo=email", "Organización=institution", "Sexo=gender", "Idioma preferido=language", "PAÍS=country", "SECTOR=sector"}},
		{"Portuguese", ";", []string{"E-mail=email", "Nome completo=name", "País=country", "Instituição=institution", "Setor=sector", "Gênero=gender", "Língua=language"}},
		{"reversed, with unknown columns", ",", []string{"Observaciones=x", "language=language", "gender=gender", "sector=sector", "institution=institution", "country=country", "name=name", "Teléfono=x", "email=email"}},
		{"short and other names", ",", []string{"Mail=email", "Nome=name", "Organization=institution", "Sex=gender", "Lengua=language", "Country=country", "Setor=sector"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header, row []string
			for _, h := range tt.headers {
				name, col, _ := strings.Cut(h, "=")
				header = append(header, name)
				row = append(row, value[col])
			}
			rows, errs := parseCSVString(strings.Join(header, tt.comma) + "\n" + strings.Join(row, tt.comma) + "\n")
			if len(errs) != 0 || len(rows) != 1 || rows[0].Profile != want || rows[0].Line != 2 {
				t.Fatalf("rows %+v, errors:\n%s", rows, rowErrorList(errs))
			}
		})
	}
}

// enrolmentWith parses a one-row file with every column, column set to value.
func enrolmentWith(column, value string) ([]EnrolmentRow, []RowError) {
	values := map[string]string{"email": "ana@example.org", "full_name": "Ana", "country": "GT", "institution": "PNC",
		"sector": "police", "gender": "", "language": "es"}
	values[column] = value
	var row []string
	for _, c := range enrolmentColumns {
		row = append(row, `"`+strings.ReplaceAll(values[c], `"`, `""`)+`"`)
	}
	return parseCSVString(strings.Join(enrolmentColumns, ",") + "\n" + strings.Join(row, ",") + "\n")
}

func TestParseEnrolmentCSVReadsCodesAndWordsInEachLanguage(t *testing.T) {
	tests := []struct{ column, typed, want string }{
		{"country", "gt", "GT"}, {"country", " Gt ", "GT"}, {"country", "Guatemala", "GT"}, {"country", "GUATEMALA", "GT"},
		{"country", "México", "MX"}, {"country", "Mexico", "MX"}, {"country", "mexico", "MX"},
		{"country", "Brasil", "BR"}, {"country", "Brazil", "BR"}, {"country", "Estados Unidos", "US"}, {"country", "United States", "US"},
		{"country", "República Dominicana", "DO"}, {"country", "Dominican Republic", "DO"}, {"country", "Moçambique", "MZ"},
		{"country", "Trinidad y Tobago", "TT"}, {"country", "Trinidad and Tobago", "TT"}, {"country", "Trinidad & Tobago", "TT"}, {"country", "Trinidad e Tobago", "TT"},
		{"sector", "police", "police"}, {"sector", "POLICE", "police"}, {"sector", "Policía", "police"}, {"sector", "policia", "police"},
		{"sector", "Polícia", "police"}, {"sector", "Policía y seguridad", "police"}, {"sector", "Police and security", "police"},
		{"sector", "medios", "media"}, {"sector", "Medios de comunicación", "media"}, {"sector", "prensa", "media"}, {"sector", "Imprensa", "media"}, {"sector", "Media", "media"},
		{"sector", "gobierno local", "local_government"}, {"sector", "Municipalidad", "local_government"}, {"sector", "Governo local", "local_government"},
		{"sector", "local_government", "local_government"}, {"sector", "Local government", "local_government"}, {"sector", "Prefeitura", "local_government"},
		{"sector", "sociedad civil", "civil_society"}, {"sector", "Sociedade civil", "civil_society"}, {"sector", "civil_society", "civil_society"}, {"sector", "ONG", "civil_society"},
		{"sector", "otro", "other"}, {"sector", "Other", "other"}, {"sector", "outro", "other"},
		{"gender", "", ""}, {"gender", "mujer", "woman"}, {"gender", "Woman", "woman"}, {"gender", "mulher", "woman"}, {"gender", "F", "woman"}, {"gender", "f", "woman"},
		{"gender", "hombre", "man"}, {"gender", "MAN", "man"}, {"gender", "homem", "man"}, {"gender", "m", "man"}, {"gender", "M.", "man"},
		{"gender", "otro género", "another"}, {"gender", "Outro gênero", "another"}, {"gender", "Another gender", "another"}, {"gender", "another", "another"},
		{"gender", "prefiero no decirlo", "undisclosed"}, {"gender", "Prefer not to say", "undisclosed"}, {"gender", "prefiro não dizer", "undisclosed"}, {"gender", "undisclosed", "undisclosed"},
		{"language", "", "es"}, {"language", "es", "es"}, {"language", "EN", "en"}, {"language", "pt-BR", "pt"}, {"language", "es_419", "es"},
		{"language", "español", "es"}, {"language", "Spanish", "es"}, {"language", "espanhol", "es"}, {"language", "Castellano", "es"},
		{"language", "inglés", "en"}, {"language", "english", "en"}, {"language", "Inglês", "en"},
		{"language", "portugués", "pt"}, {"language", "Portuguese", "pt"}, {"language", "português", "pt"},
		{"full_name", "  José   Ñúñez\tGarcía ", "José Ñúñez García"},
		{"email", " Ana.Pérez@Example.ORG ", "ana.pérez@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.column+"="+tt.typed, func(t *testing.T) {
			rows, errs := enrolmentWith(tt.column, tt.typed)
			if len(errs) != 0 || len(rows) != 1 {
				t.Fatalf("errors:\n%s", rowErrorList(errs))
			}
			p := rows[0].Profile
			got := map[string]string{"country": p.Country, "sector": p.Sector, "gender": p.Gender, "language": p.Language,
				"full_name": p.FullName, "email": p.Email}[tt.column]
			if got != tt.want {
				t.Fatalf("%s = %q, want %q", tt.column, got, tt.want)
			}
		})
	}
}

func TestParseEnrolmentCSVRefusesWhatItCannotRead(t *testing.T) {
	tests := []struct{ column, typed, key string }{
		{"country", "Narnia", "error.country.invalid"},
		{"country", "GTM", "error.country.invalid"},
		{"country", "XX", "error.country.invalid"},
		{"sector", "army", "error.sector.invalid"},
		{"sector", "", "error.sector.required"},
		{"gender", "x", "error.gender.invalid"},
		{"gender", "femme", "error.gender.invalid"},
		{"language", "fr", "error.language.invalid"},
		{"language", "Français", "error.language.invalid"},
		{"email", "ana", "error.email.invalid"},
		{"email", "", "error.email.required"},
		{"full_name", strings.Repeat("ñ", 201), "error.full_name.too_long"},
		{"institution", " ", "error.institution.required"},
	}
	for _, tt := range tests {
		t.Run(tt.column+"="+tt.typed, func(t *testing.T) {
			rows, errs := enrolmentWith(tt.column, tt.typed)
			want := []RowError{{Line: 2, Field: tt.column, Key: tt.key}}
			if len(rows) != 0 || !reflect.DeepEqual(errs, want) {
				t.Fatalf("rows %+v, errors:\n%s", rows, rowErrorList(errs))
			}
		})
	}
}

func TestParseEnrolmentCSVReadsGenderLettersByTheFilesConvention(t *testing.T) {
	tests := []struct {
		name    string
		letters []string
		want    []string // a gender, or "!" for an error on that row
	}{
		{"F/M", []string{"F", "M", "m", "f"}, []string{"woman", "man", "man", "woman"}},
		{"M alone is masculine", []string{"M", "M"}, []string{"man", "man"}},
		{"H/M as in Mexican forms", []string{"H", "M", "h", "m"}, []string{"man", "woman", "man", "woman"}},
		{"H alone is hombre", []string{"H"}, []string{"man"}},
		{"F, H and M: M cannot be read", []string{"F", "H", "M", "Mujer"}, []string{"woman", "man", "!", "woman"}},
		{"words do not change the letters", []string{"Hombre", "M"}, []string{"man", "man"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("email,name,country,institution,sector,gender\n")
			for i, g := range tt.letters {
				fmt.Fprintf(&b, "p%d@example.org,P%d,GT,PNC,police,%s\n", i, i, g)
			}
			rows, errs := parseCSVString(b.String())
			got := make([]string, len(tt.letters))
			for _, r := range rows {
				got[r.Line-2] = r.Profile.Gender
			}
			for _, e := range errs {
				if e.Field != "gender" || e.Key != "error.csv.gender_ambiguous" {
					t.Fatalf("unexpected error %v", e)
				}
				got[e.Line-2] = "!"
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("genders %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseEnrolmentCSVReportsDuplicateEmailsAtTheSecondRow(t *testing.T) {
	rows, errs := parseCSVString("email,name,country,institution,sector\n" +
		"ana@example.org,Ana,GT,PNC,police\n" + // 2
		"\"Luis\nLópez\",x,GT,PNC,police\n" + // 3-4: no valid email, not a duplicate of anything
		"luis@example.org,Luis,GT,PNC,\n" + // 5: has an error, but is still the first luis
		" ANA@example.org ,Ana otra vez,GT,PNC,police\n" + // 6
		"luis@example.org,Luis,GT,PNC,police\n" + // 7
		"ana@example.org,Ana,GT,PNC,police\n") // 8
	want := `line 3: email: error.email.invalid
line 5: sector: error.sector.required
line 6: email: error.csv.duplicate_in_file First=2
line 7: email: error.csv.duplicate_in_file First=5
line 8: email: error.csv.duplicate_in_file First=2
`
	if got := rowErrorList(errs); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	if len(rows) != 1 || rows[0].Line != 2 {
		t.Errorf("rows %+v, want only line 2", rows)
	}
	if errs[2].Args["First"] != 2 {
		t.Errorf("First = %#v, want the int 2", errs[2].Args["First"])
	}
}

func TestParseEnrolmentCSVJoinsASurnameColumnToTheName(t *testing.T) {
	tests := []struct {
		name, file string
		want       string // the full name, or the errors
	}{
		{"Spanish", "Correo;Nombres;Apellidos;País;Institución;Sector\nana@example.org;Ana María;Pérez Gómez;GT;PNC;police\n", "Ana María Pérez Gómez"},
		{"English, surname first", "Last name,First name,Email,Country,Institution,Sector\nSmith,Peter,p@example.org,JM,JCF,police\n", "Peter Smith"},
		{"Portuguese", "e-mail,nome,sobrenome,país,instituição,setor\nm@example.org,Maria,da Silva,BR,PM,polícia\n", "Maria da Silva"},
		{"empty surname", "email,nombre,apellido,country,institution,sector\nana@example.org,Ana,,GT,PNC,police\n", "Ana"},
		{"surname without a name", "email,nombre,apellido,country,institution,sector\nana@example.org,,Pérez,GT,PNC,police\n", "Pérez"},
		{"a surname is not a name column", "email,apellido\nana@example.org,Pérez\n", "line 1: error.csv.missing_columns\n"},
		{"two surname columns", "email,name,apellido,surname\na@example.org,A,B,C\n", "line 1: full_name: error.csv.duplicate_column Column=surname\n"},
		{"name too long with the surname", "email,nombre,apellido,country,institution,sector\nana@example.org," + strings.Repeat("a", 150) + "," + strings.Repeat("b", 50) + ",GT,PNC,police\n",
			"line 2: full_name: error.full_name.too_long\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := parseCSVString(tt.file)
			got := rowErrorList(errs)
			if len(rows) == 1 {
				got = rows[0].Profile.FullName
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseEnrolmentCSVKeepsLineNumbersAcrossQuotedLineBreaks(t *testing.T) {
	rows, errs := parseCSVString("email;name;country;institution;sector\r\n" +
		"a@example.org;\"Ana\r\nMaría\";GT;\"PNC;\r\n\r\nSede \"\"Central\"\"\";police\r\n" + // 2-5
		"\r\n" + // 6
		"b@example.org;Bea;GT;PNC;nope\r\n" + // 7
		"\"c@example.org\";\"Carla\";\"GT\";\"P,N,C\";\"police\"\r\n") // 8
	if got, want := rowErrorList(errs), "line 7: sector: error.sector.invalid\n"; got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 8 {
		t.Fatalf("rows %+v", rows)
	}
	if rows[0].Profile.FullName != "Ana María" || rows[0].Profile.Institution != `PNC; Sede "Central"` || rows[1].Profile.Institution != "P,N,C" {
		t.Errorf("rows %+v", rows)
	}
}

func TestParseEnrolmentCSVReportsProblemsWithTheWholeFile(t *testing.T) {
	header := "email,name,country,institution,sector\n"
	row := "ana@example.org,Ana,GT,PNC,police\n"
	tests := []struct {
		name string
		file string
		want string
	}{
		{"empty file", "", "error.csv.empty\n"},
		{"only a BOM", "\uFEFF", "error.csv.empty\n"},
		{"only blank lines", "\n\r\n;;;\n", "error.csv.empty\n"},
		{"header only", header, "error.csv.empty\n"},
		{"header and empty rows", header + ",,,,\n\n", "error.csv.empty\n"},
		{"no email column", "name,country\nAna,GT\n", "line 1: error.csv.missing_columns\n"},
		{"no name column", "email,country\nana@example.org,GT\n", "line 1: error.csv.missing_columns\n"},
		{"neither: one error", "country,sector\nGT,police\n", "line 1: error.csv.missing_columns\n"},
		{"no header at all", row + row, "line 1: error.csv.missing_columns\n"},
		{"two email columns", "email,name,correo\na@example.org,A,b@example.org\n", "line 1: email: error.csv.duplicate_column Column=correo\n"},
		{"name and full name", "email,Nombre,Nombre completo\na@example.org,A,A B\n", "line 1: full_name: error.csv.duplicate_column Column=Nombre completo\n"},
		{"header after blank lines", "\n\nname,country\n", "line 3: error.csv.missing_columns\n"},
		{"control character in the header", "em\x01il,name\n" + row, "line 1: error.csv.bad_characters\n"},
		{"quote never closed in the header", "\"email,name\n" + row, "line 1: error.csv.bad_quotes\n"},
		{"quote never closed in a row spoils the rest", header + row + "\"b@example.org,B,GT,PNC,police\n" + row, "line 3: error.csv.bad_quotes\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parseCSVString(tt.file)
			if got := rowErrorList(errs); got != tt.want {
				t.Fatalf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestParseEnrolmentCSVReadsAHeaderAfterBlankLines(t *testing.T) {
	rows, errs := parseCSVString("\n\nemail;name;country;institution;sector\n\nana@example.org;Ana;GT;PNC;police\n")
	if len(errs) != 0 || len(rows) != 1 || rows[0].Line != 5 {
		t.Fatalf("rows %+v, errors:\n%s", rows, rowErrorList(errs))
	}
}

// enrolmentFile writes a header and n rows as a Spanish-locale spreadsheet saves them.
func enrolmentFile(n int) []byte {
	countries := []string{"Guatemala", "HN", "El Salvador", "México", "Brasil", "Colombia", "Perú", "República Dominicana"}
	sectors := []string{"Policía", "medios", "Gobierno local", "sociedad civil", "otro"}
	genders := []string{"Mujer", "Hombre", "", "Prefiero no decirlo", "otro género"}
	var b bytes.Buffer
	b.WriteString("\uFEFFCorreo electrónico;Nombre completo;País;Institución;Sector;Género;Idioma\r\n")
	for i := range n {
		fmt.Fprintf(&b, "persona.%d@example.org;María José Núñez %d;%s;\"Secretaría de Seguridad; Distrito %d\";%s;%s;%s\r\n",
			i, i, countries[i%len(countries)], i%30, sectors[i%len(sectors)], genders[i%len(genders)], []string{"español", "pt", ""}[i%3])
	}
	return b.Bytes()
}

func TestParseEnrolmentCSVReadsFiveThousandRows(t *testing.T) {
	file := enrolmentFile(5000)
	start := time.Now()
	rows, errs := ParseEnrolmentCSV(bytes.NewReader(file))
	elapsed := time.Since(start)
	if len(errs) != 0 {
		t.Fatalf("errors:\n%s", rowErrorList(errs[:min(len(errs), 10)]))
	}
	if len(rows) != 5000 || rows[0].Line != 2 || rows[4999].Line != 5001 {
		t.Fatalf("%d rows, first line %d", len(rows), rows[0].Line)
	}
	if p := rows[4999].Profile; p.Email != "persona.4999@example.org" || p.Country != "DO" || p.Sector != "other" || p.Gender != "another" || p.Language != "pt" {
		t.Fatalf("last row %+v", p)
	}
	// Generous, for slow machines and the race detector: it takes milliseconds.
	if elapsed > 5*time.Second {
		t.Fatalf("5,000 rows took %v", elapsed)
	}
}

func TestParseEnrolmentCSVLimitsRows(t *testing.T) {
	if rows, errs := ParseEnrolmentCSV(bytes.NewReader(enrolmentFile(MaxEnrolmentRows))); len(errs) != 0 || len(rows) != MaxEnrolmentRows {
		t.Fatalf("at the limit: %d rows, errors:\n%s", len(rows), rowErrorList(errs[:min(len(errs), 10)]))
	}
	rows, errs := ParseEnrolmentCSV(bytes.NewReader(enrolmentFile(MaxEnrolmentRows + 1)))
	if len(rows) != 0 || rowErrorList(errs) != "error.csv.too_many_rows Max=10000\n" {
		t.Fatalf("over the limit: %d rows, errors:\n%s", len(rows), rowErrorList(errs))
	}
}

// repeatByte is an endless stream of one byte.
type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestParseEnrolmentCSVStopsAtTheSizeLimit(t *testing.T) {
	// A quote never closed makes one field of everything after it: without the limit, of the whole upload.
	r := io.MultiReader(strings.NewReader("email,name\na@example.org,\""), repeatByte('a'))
	rows, errs := ParseEnrolmentCSV(r)
	if len(rows) != 0 || rowErrorList(errs) != "error.csv.too_large Max=16\n" {
		t.Fatalf("%d rows, errors:\n%s", len(rows), rowErrorList(errs))
	}
}

func TestParseEnrolmentCSVReportsAFailedRead(t *testing.T) {
	r := io.MultiReader(strings.NewReader("email,name,country,institution,sector\nana@example.org,Ana,GT,PNC,police\n"),
		iotest.ErrReader(errors.New("connection reset")))
	rows, errs := ParseEnrolmentCSV(r)
	if len(rows) != 0 || rowErrorList(errs) != "error.csv.unreadable\n" {
		t.Fatalf("%d rows, errors:\n%s", len(rows), rowErrorList(errs))
	}
}

func BenchmarkParseEnrolmentCSV(b *testing.B) {
	file := enrolmentFile(5000)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if rows, errs := ParseEnrolmentCSV(bytes.NewReader(file)); len(rows) != 5000 || len(errs) != 0 {
			b.Fatalf("%d rows, %d errors", len(rows), len(errs))
		}
	}
}

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=SUM(A1)", "'=SUM(A1)"},
		{"+1", "'+1"},
		{"-2", "'-2"},
		{"@cmd", "'@cmd"},
		{"\t=x", "'\t=x"},
		{"\r=x", "'\r=x"},
		{`=HYPERLINK("http://example.com","clic")`, `'=HYPERLINK("http://example.com","clic")`},
		{"normal", "normal"},
		{"", ""},
		{"a=b", "a=b"},
		{" =x", " =x"},
		{"'=x", "'=x"},
		{"María Pérez", "María Pérez"},
		{"123", "123"},
	}
	for _, tt := range tests {
		if got := CSVCell(tt.in); got != tt.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteCSVWritesWhatExcelReadsSafely(t *testing.T) {
	rows := [][]string{
		{"Correo", "Nombre", "Institución", "Nota"},
		{"ana@example.org", "Ana María Pérez", `Radio "La Voz", Tegucigalpa`, "=1+1"},
		{"jose@example.org", "José\nNúñez", "Alcaldía; Distrito 1", "-5"},
		{"", "@SUM(A1)", "+54 11 5555-0000", ""},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no BOM: %q", out[:min(len(out), 10)])
	}
	if bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) || !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatalf("line ends are not all CRLF: %q", out)
	}
	back, err := csv.NewReader(bytes.NewReader(out[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]string, len(rows))
	for i, row := range rows {
		for _, c := range row {
			want[i] = append(want[i], CSVCell(c))
		}
	}
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("read back:\n%q\nwant:\n%q", back, want)
	}
	if back[1][3] != "'=1+1" || back[3][1] != "'@SUM(A1)" {
		t.Fatalf("formulas not neutralised: %q", back)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCSVReportsWriteErrors(t *testing.T) {
	if err := WriteCSV(failingWriter{}, [][]string{{"a"}}); err == nil {
		t.Fatal("no error")
	}
}

// FuzzParseEnrolmentCSV protects the upload page from a file that makes the parser panic,
// and checks that every row and error it returns points at a line of the file.
func FuzzParseEnrolmentCSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "csv", "*.csv"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("email;name\n\"a\nb\";\"c\"\"d\"\n;;\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs := ParseEnrolmentCSV(bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, r := range rows {
			if r.Line < 1 || r.Line > lines || r.Profile.Clean() != r.Profile || len(r.Profile.Validate()) != 0 {
				t.Fatalf("row %+v of a %d-line file", r, lines)
			}
		}
		for _, e := range errs {
			if e.Line < 0 || e.Line > lines || e.Key == "" {
				t.Fatalf("error %+v of a %d-line file", e, lines)
			}
		}
	})
}

func TestParseEnrolmentCSVReadsWindows1252AsExcelSavesIt(t *testing.T) {
	// "correo electrónico;nombre;país;institución;sector" and a row with accents, as Excel
	// on Windows in Spanish saves "CSV (delimitado por comas)".
	file := "correo electr\xf3nico;nombre;pa\xeds;instituci\xf3n;sector\r\n" +
		"mar\xeda@example.org;Mar\xeda Jos\xe9 Ord\xf3\xf1ez;Panam\xe1;Polic\xeda Nacional;polic\xeda\r\n"
	rows, errs := parseCSVString(file)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := Profile{"María José Ordóñez", "maría@example.org", "PA", "Policía Nacional", "police", "", ""}
	if len(rows) != 1 || rows[0].Profile.FullName != want.FullName || rows[0].Profile.Country != "PA" ||
		rows[0].Profile.Institution != want.Institution || rows[0].Profile.Sector != "police" {
		t.Fatalf("rows: %+v", rows)
	}
}

func TestParseEnrolmentCSVKeepsUTF8AsItIs(t *testing.T) {
	rows, errs := parseCSVString("email;nombre;país;institución;sector\nana@example.org;Ana Núñez;GT;Policía;police\n")
	if len(errs) != 0 || len(rows) != 1 || rows[0].Profile.FullName != "Ana Núñez" || rows[0].Profile.Institution != "Policía" {
		t.Fatalf("rows %+v, errors %v", rows, errs)
	}
}

func TestParseEnrolmentCSVReadsExcelsUnicodeText(t *testing.T) {
	// Excel's "Texto Unicode": UTF-16 with its byte-order mark, tabs between cells.
	text := "correo\tnombre\tpaís\tinstitución\tsector\r\nmaria@example.org\tMaría José Ordóñez\tPanamá\tPolicía Nacional\tpolicía\r\n"
	for name, order := range map[string]binary.ByteOrder{"little-endian": binary.LittleEndian, "big-endian": binary.BigEndian} {
		var b bytes.Buffer
		_ = binary.Write(&b, order, uint16(0xFEFF))
		for _, u := range utf16.Encode([]rune(text)) {
			_ = binary.Write(&b, order, u)
		}
		rows, errs := parseCSVString(b.String())
		if len(errs) != 0 || len(rows) != 1 || rows[0].Profile.FullName != "María José Ordóñez" || rows[0].Profile.Country != "PA" {
			t.Errorf("%s: rows %+v, errors %v", name, rows, errs)
		}
	}
}
