package courses

import "testing"

func TestProgressBandEdges(t *testing.T) {
	for _, tc := range []struct{ percent, band int }{
		{-5, 0}, {0, 0}, {1, 1}, {24, 1}, {25, 2}, {49, 2}, {50, 3}, {74, 3}, {75, 4}, {99, 4}, {100, 5}, {130, 5},
	} {
		if got := ProgressBandOf(tc.percent); got != tc.band {
			t.Errorf("ProgressBandOf(%d) = %d, want %d", tc.percent, got, tc.band)
		}
	}
}

func TestProgressBandsCoverEveryPercentOnce(t *testing.T) {
	bands := ProgressBands()
	next := 0
	for _, b := range bands {
		if b.Min != next || b.Max < b.Min || b.Trainees != 0 {
			t.Fatalf("band %+v after %d", b, next-1)
		}
		next = b.Max + 1
	}
	if next != 101 {
		t.Fatalf("bands end at %d", next-1)
	}
}

func TestProgressDistributionRoundsDownSoOnlyEveryLessonIsTheLastBand(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int
		done  map[int]int
		want  [6]int
	}{
		{"nobody", 10, nil, [6]int{}},
		// 1 of 7 is 14 %; 2 of 7 is 28 %; 6 of 7 is 85 %, not 100; 7 of 7 is 100.
		{"sevenths", 7, map[int]int{0: 3, 1: 1, 2: 2, 4: 1, 6: 5, 7: 4}, [6]int{3, 1, 2, 1, 5, 4}},
		// 1 of 4 is exactly 25 %: the third band; 3 of 4, 75 %: the fifth.
		{"quarters", 4, map[int]int{1: 2, 2: 1, 3: 1}, [6]int{0, 0, 2, 1, 1, 0}},
		// 1 of 200 is 0.5 %, rounded down to 0.
		{"one of two hundred", 200, map[int]int{1: 1, 199: 1}, [6]int{1, 0, 0, 0, 1, 0}},
		{"no lessons", 0, map[int]int{0: 4}, [6]int{4, 0, 0, 0, 0, 0}},
		// A lesson removed after it was done: more done than there are is every lesson.
		{"more done than lessons", 3, map[int]int{4: 1}, [6]int{0, 0, 0, 0, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ProgressDistribution(tc.total, tc.done)
			for i, b := range got {
				if b.Trainees != tc.want[i] {
					t.Fatalf("bands %+v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestRatesWithoutADenominatorAreUnknownNotZero(t *testing.T) {
	for _, tc := range []struct {
		n, d  int
		want  float64
		known bool
	}{
		{0, 0, 0, false}, {3, 0, 0, false}, {1, -1, 0, false},
		{0, 5, 0, true}, {5, 5, 100, true}, {1, 3, 33.33, true}, {2, 3, 66.67, true}, {1, 8, 12.5, true},
	} {
		got, ok := Rate(tc.n, tc.d)
		if got != tc.want || ok != tc.known {
			t.Errorf("Rate(%d, %d) = %v %v, want %v %v", tc.n, tc.d, got, ok, tc.want, tc.known)
		}
		if s := (Share{N: tc.n, Of: tc.d}); s.Percent() != tc.want || s.Known() != tc.known {
			t.Errorf("Share{%d, %d} = %v %v", tc.n, tc.d, s.Percent(), s.Known())
		}
	}
	r := CourseReport{Enrolments: []StatusCount{{EnrolmentActive, 3}, {EnrolmentWithdrawn, 2}}, Trainees: 0, Completed: 0}
	if r.EnrolmentTotal() != 5 || r.CompletionRate().Known() {
		t.Fatalf("total %d, completion %+v", r.EnrolmentTotal(), r.CompletionRate())
	}
	if q := (QuizFigures{Attempts: 2, Trainees: 1, Pending: 1}); q.PassRate().Known() {
		t.Fatal("a quiz with nobody graded has a pass rate")
	}
	// Everyone excused: nobody counts, and the rate is unknown rather than 0 %.
	if s := (SessionFigures{Roster: 2, Excused: 2}); s.Rate().Known() {
		t.Fatal("a session of excused trainees has a rate")
	}
	if s := (SessionFigures{Roster: 5, Present: 3, Excused: 1}); s.Rate().Percent() != 75 {
		t.Fatalf("3 present of 5 with 1 excused: %v", s.Rate().Percent())
	}
}
