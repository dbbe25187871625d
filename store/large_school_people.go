package store

import (
	"fmt"
	"math/rand/v2"
)

// What a generated school's people are drawn from (see GenerateLargeSchool): the countries a
// Latin-American and Caribbean programme reaches, weighted roughly by how many professionals
// such a programme trains in each, with each country's language and a few of its cities.
type largeCountry struct {
	code, lang, name string
	weight           int
	cities           []string
}

var largeCountries = []largeCountry{
	{"MX", "es", "México", 14, []string{"Ciudad Juárez", "Monterrey", "Guadalajara", "Puebla"}},
	{"CO", "es", "Colombia", 11, []string{"Medellín", "Cali", "Bogotá", "Barranquilla"}},
	{"GT", "es", "Guatemala", 9, []string{"Ciudad de Guatemala", "Quetzaltenango", "Escuintla"}},
	{"HN", "es", "Honduras", 9, []string{"Tegucigalpa", "San Pedro Sula", "La Ceiba"}},
	{"SV", "es", "El Salvador", 8, []string{"San Salvador", "Santa Ana", "San Miguel"}},
	{"BR", "pt", "Brasil", 8, []string{"Recife", "Salvador", "Fortaleza", "Belo Horizonte"}},
	{"PE", "es", "Perú", 6, []string{"Lima", "Ayacucho", "Trujillo"}},
	{"DO", "es", "República Dominicana", 5, []string{"Santo Domingo", "Santiago de los Caballeros"}},
	{"CR", "es", "Costa Rica", 4, []string{"San José", "Limón", "Puntarenas"}},
	{"PA", "es", "Panamá", 4, []string{"Ciudad de Panamá", "Colón", "David"}},
	{"EC", "es", "Ecuador", 4, []string{"Guayaquil", "Quito", "Esmeraldas"}},
	{"JM", "en", "Jamaica", 4, []string{"Kingston", "Montego Bay", "Spanish Town"}},
	{"TT", "en", "Trinidad and Tobago", 3, []string{"Port of Spain", "San Fernando", "Chaguanas"}},
	{"BO", "es", "Bolivia", 2, []string{"La Paz", "El Alto", "Santa Cruz de la Sierra"}},
	{"PY", "es", "Paraguay", 2, []string{"Asunción", "Ciudad del Este"}},
	{"AR", "es", "Argentina", 2, []string{"Rosario", "Córdoba"}},
	{"CL", "es", "Chile", 1, []string{"Santiago", "Valparaíso"}},
	{"UY", "es", "Uruguay", 1, []string{"Montevideo"}},
	{"BZ", "en", "Belize", 1, []string{"Belize City", "Belmopan"}},
	{"GY", "en", "Guyana", 1, []string{"Georgetown"}},
	{"BB", "en", "Barbados", 1, []string{"Bridgetown"}},
}

// The sectors' shares (police first: the programme began with police academies), and the
// genders' in each: more men in the police, more women in civil society, and in every sector
// some who answer otherwise or not at all.
var (
	largeSectors = []weighted{{"police", 34}, {"local_government", 24}, {"civil_society", 18}, {"media", 13}, {"other", 11}}
	largeGenders = map[string][]weighted{
		"police":           {{"woman", 31}, {"man", 61}, {"another", 1}, {"undisclosed", 3}, {"", 4}},
		"local_government": {{"woman", 47}, {"man", 44}, {"another", 1}, {"undisclosed", 3}, {"", 5}},
		"civil_society":    {{"woman", 62}, {"man", 29}, {"another", 2}, {"undisclosed", 2}, {"", 5}},
		"media":            {{"woman", 50}, {"man", 42}, {"another", 1}, {"undisclosed", 3}, {"", 4}},
		"other":            {{"woman", 48}, {"man", 42}, {"another", 1}, {"undisclosed", 4}, {"", 5}},
	}
)

type weighted struct {
	value  string
	weight int
}

func pickWeighted(r *rand.Rand, list []weighted) string {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	n := r.IntN(total)
	for _, w := range list {
		if n < w.weight {
			return w.value
		}
		n -= w.weight
	}
	return list[len(list)-1].value
}

func pickCountry(r *rand.Rand) largeCountry {
	total := 0
	for _, c := range largeCountries {
		total += c.weight
	}
	n := r.IntN(total)
	for _, c := range largeCountries {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return largeCountries[0]
}

var (
	largeWomen = map[string][]string{
		"es": {"María", "Ana", "Lucía", "Carmen", "Rosa", "Daniela", "Gabriela", "Paola", "Valeria", "Sofía", "Mariela", "Karla",
			"Andrea", "Jimena", "Claudia", "Patricia", "Yesenia", "Marisol", "Fernanda", "Elena"},
		"pt": {"Ana", "Maria", "Juliana", "Fernanda", "Camila", "Beatriz", "Luana", "Patrícia", "Aline", "Joana", "Tainá", "Letícia"},
		"en": {"Shanice", "Keisha", "Alicia", "Monique", "Tamara", "Sasha", "Natalie", "Janelle", "Kimberly", "Denise"},
	}
	largeMen = map[string][]string{
		"es": {"José", "Juan", "Carlos", "Luis", "Miguel", "Jorge", "Óscar", "Fernando", "Andrés", "Julio", "Mario", "Héctor",
			"Edwin", "Wilmer", "Ricardo", "Diego", "Alejandro", "Víctor", "Raúl", "Marvin"},
		"pt": {"João", "Pedro", "Lucas", "Rafael", "Thiago", "Bruno", "Marcos", "Paulo", "Felipe", "Gustavo", "Anderson", "Leandro"},
		"en": {"Andre", "Marcus", "Devon", "Kevin", "Jason", "Ricardo", "Omar", "Damian", "Shane", "Nigel"},
	}
	largeSurnames = map[string][]string{
		"es": {"García", "Hernández", "López", "Martínez", "González", "Rodríguez", "Pérez", "Ramírez", "Flores", "Castillo",
			"Morales", "Reyes", "Cruz", "Ortiz", "Quispe", "Mendoza", "Vásquez", "Rivera", "Chávez", "Aguilar", "Mejía", "Zúñiga"},
		"pt": {"Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Almeida", "Costa", "Ribeiro", "Carvalho", "Araújo"},
		"en": {"Brown", "Williams", "Campbell", "Thompson", "Clarke", "Grant", "Reid", "Francis", "Mohammed", "Ramkissoon", "Baptiste"},
	}
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// largeName draws a name in the country's language; "another" and unanswered genders draw
// from either list.
func largeName(r *rand.Rand, lang, gender string) string {
	first := largeWomen[lang]
	if gender == "man" || (gender != "woman" && r.IntN(2) == 0) {
		first = largeMen[lang]
	}
	if lang == "en" {
		return pick(r, first) + " " + pick(r, largeSurnames[lang])
	}
	return pick(r, first) + " " + pick(r, largeSurnames[lang]) + " " + pick(r, largeSurnames[lang])
}

// largeInstitution is where someone of sector works, in their country's words.
func largeInstitution(r *rand.Rand, c largeCountry, sector string) string {
	city := pick(r, c.cities)
	switch c.lang + " " + sector {
	case "es police":
		return pick(r, []string{"Policía Nacional de " + c.name, "Academia de Policía de " + c.name, "Policía Municipal de " + city})
	case "pt police":
		return pick(r, []string{"Polícia Militar de " + city, "Polícia Civil de " + city, "Guarda Municipal de " + city})
	case "en police":
		return pick(r, []string{c.name + " Police Service", c.name + " Police Academy"})
	case "es local_government":
		return pick(r, []string{"Municipalidad de " + city, "Alcaldía de " + city, "Gobernación de " + city})
	case "pt local_government":
		return "Prefeitura de " + city
	case "en local_government":
		return pick(r, []string{city + " City Council", city + " Municipal Corporation"})
	case "es media", "pt media":
		return pick(r, []string{"Radio " + city, "Diario de " + city, "Canal " + fmt.Sprint(2+r.IntN(11)) + " " + city})
	case "en media":
		return pick(r, []string{city + " Community Radio", city + " Gleaner", "TV " + c.name})
	case "es civil_society":
		return pick(r, []string{"Fundación Paz y Convivencia " + city, "Red de Mujeres de " + city, "Observatorio Ciudadano de " + city})
	case "pt civil_society":
		return pick(r, []string{"Instituto Cidade Segura " + city, "Rede de Mulheres de " + city})
	case "en civil_society":
		return pick(r, []string{city + " Peace Foundation", "Youth Empowerment Network " + c.name})
	case "pt other":
		return pick(r, []string{"Universidade Federal de " + city, "Ministério Público"})
	case "en other":
		return pick(r, []string{"University of " + c.name, "Ministry of National Security"})
	default:
		return pick(r, []string{"Universidad de " + city, "Ministerio de Seguridad", "Defensoría del Pueblo"})
	}
}

// largeReasons are why some generated certificates were revoked, as their pages say.
var largeReasons = []string{
	"Emitido por error: la participante no completó la evaluación final.",
	"Duplicado de un certificado emitido en otra cohorte.",
	"Revocado a pedido de la institución: datos de inscripción incorrectos.",
}
