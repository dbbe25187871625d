package courses

import "testing"

func sampleCourse() Course {
	return Course{
		ID: 1, Slug: "policia", DefaultLanguage: "es",
		Texts: map[string]CourseText{"es": {Title: "Policía", Summary: "Resumen"}, "pt": {Title: "Polícia", Summary: "Resumo"}},
		Modules: []Module{
			{ID: 10, Titles: map[string]string{"es": "Módulo uno", "pt": "Módulo um"}, Lessons: []Lesson{
				{ID: 100, Texts: map[string]LessonText{"es": {Title: "Lección A", Body: "a"}, "pt": {Title: "Lição A", Body: "a-pt"}}},
				{ID: 101, Texts: map[string]LessonText{"es": {Title: "Lección B", Body: "b"}}},
			}},
			{ID: 11, Titles: map[string]string{"es": "Módulo dos"}, Lessons: []Lesson{
				{ID: 102, Texts: map[string]LessonText{"es": {Title: "Lección C", Body: "c"}}},
			}},
		},
	}
}

func TestLocalizeFallsBackToTheDefaultLanguage(t *testing.T) {
	tests := []struct {
		want, lang, title, module1, lessonB, module2 string
		fallback                                     bool
	}{
		{"es", "es", "Policía", "Módulo uno", "Lección B", "Módulo dos", false},
		{"pt", "pt", "Polícia", "Módulo um", "Lección B", "Módulo dos", false}, // untranslated parts fall back one by one
		{"en", "es", "Policía", "Módulo uno", "Lección B", "Módulo dos", true}, // no English at all: Spanish, with a notice
	}
	for _, tt := range tests {
		lc := Localize(sampleCourse(), tt.want)
		if lc.Language != tt.lang || lc.Fallback != tt.fallback || lc.Title != tt.title {
			t.Errorf("%s: language %s fallback %v title %q", tt.want, lc.Language, lc.Fallback, lc.Title)
		}
		if lc.Modules[0].Title != tt.module1 || lc.Modules[0].Lessons[1].Title != tt.lessonB || lc.Modules[1].Title != tt.module2 {
			t.Errorf("%s: modules %+v", tt.want, lc.Modules)
		}
	}
	if l, _, _, _ := Localize(sampleCourse(), "pt").Lesson(101); l.Language != "es" {
		t.Errorf("untranslated lesson says it is in %s", l.Language)
	}
	if got := Localize(sampleCourse(), "pt").OtherLanguages(); len(got) != 1 || got[0] != "es" {
		t.Errorf("other languages: %v", got)
	}
}

func TestLessonNeighboursCrossModules(t *testing.T) {
	co := sampleCourse()
	// An empty module between the two: its neighbours are each other's.
	co.Modules = append(co.Modules[:1], Module{ID: 12}, co.Modules[1])
	lc := Localize(co, "es")
	tests := []struct {
		id, prev, next int64
		number         int
		title          string
	}{
		{100, 0, 101, 1, "Lección A"},
		{101, 100, 102, 2, "Lección B"},
		{102, 101, 0, 3, "Lección C"},
	}
	for _, tt := range tests {
		l, prev, next, ok := lc.Lesson(tt.id)
		if !ok || l.ID != tt.id || l.Title != tt.title || prev.ID != tt.prev || next.ID != tt.next || l.Number != tt.number || l.Language != "es" {
			t.Errorf("lesson %d: %+v, prev %d, next %d, found %v; want prev %d, next %d, number %d",
				tt.id, l, prev.ID, next.ID, ok, tt.prev, tt.next, tt.number)
		}
	}
	if l, prev, next, ok := lc.Lesson(999); ok || l.ID != 0 || prev.ID != 0 || next.ID != 0 {
		t.Errorf("unknown lesson found: %+v %+v %+v", l, prev, next)
	}
}

func TestCanEdit(t *testing.T) {
	c := Course{OwnerID: 1, InstructorIDs: []int64{2}}
	tests := []struct {
		u    *User
		want bool
	}{
		{&User{ID: 1, Role: RoleInstructor, Active: true}, true},
		{&User{ID: 2, Role: RoleInstructor, Active: true}, true},
		{&User{ID: 3, Role: RoleInstructor, Active: true}, false},
		{&User{ID: 4, Role: RoleAdmin, Active: true}, true},
		{&User{ID: 2, Role: RoleTrainee, Active: true}, false}, // demoted co-instructor
		{&User{ID: 1, Role: RoleInstructor, Active: false}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := c.CanEdit(tt.u); got != tt.want {
			t.Errorf("CanEdit(%+v) = %v", tt.u, got)
		}
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Policía comunitaria y derechos humanos": "policia-comunitaria-y-derechos-humanos",
		"  ¿Qué es?  ":         "que-es",
		"Segurança cidadã 101": "seguranca-cidada-101",
		"***":                  "",
	} {
		if got := Slugify(in); got != want || (got != "" && !ValidSlug(got)) {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTheQuizAfterALessonIsTheOnePlacedRightAfterIt(t *testing.T) {
	lc := LocalCourse{Modules: []LocalModule{
		{Lessons: []LocalLesson{{ID: 1}, {ID: 2}, {ID: 3}}, Quizzes: []LocalQuiz{{ID: 10, Position: 1}, {ID: 11, Position: 3}}},
		{Lessons: []LocalLesson{{ID: 4}}, Quizzes: []LocalQuiz{{ID: 12, Position: 9}}}, // past the end: at the end
		{Lessons: []LocalLesson{{ID: 5}}},
	}}
	for _, tc := range []struct {
		lesson int64
		quiz   int64
	}{{1, 10}, {2, 0}, {3, 11}, {4, 12}, {5, 0}, {99, 0}} {
		q, ok := lc.QuizAfter(tc.lesson)
		if q.ID != tc.quiz || ok != (tc.quiz != 0) {
			t.Errorf("after lesson %d: quiz %d (%v), want %d", tc.lesson, q.ID, ok, tc.quiz)
		}
	}
}
