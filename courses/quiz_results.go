package courses

import (
	"sort"
	"time"
)

// AttemptResult is one attempt at a quiz as its instructors list it: who, in which cohort,
// when, and what it scored.
type AttemptResult struct {
	AttemptID     int64
	UserID        int64
	FullName      string
	Email         string
	CohortID      int64
	CohortName    string
	CohortDefault bool
	Number        int
	StartedAt     time.Time
	FinishedAt    time.Time // zero: in progress
	Score, Max    float64
	Pending       bool // an essay awaits its mark
	Passed        bool
}

// Finished reports whether the attempt is over.
func (r AttemptResult) Finished() bool { return !r.FinishedAt.IsZero() }

// Taken is how long the attempt took, 0 while it is in progress.
func (r AttemptResult) Taken() time.Duration {
	if !r.Finished() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// Percent is the attempt's score as a percentage of what it was worth.
func (r AttemptResult) Percent() float64 { return Percent(r.Score, r.Max) }

// SlotResult is one question of a finished attempt, for the quiz's question statistics.
type SlotResult struct {
	AttemptID  int64
	Slot       int
	QuestionID int64
	Label      string // the question's name, or its text, in the course's default language
	Points     float64
	Fraction   float64
	Pending    bool
}

// QuestionStat is how one question of a quiz fared across finished attempts.
type QuestionStat struct {
	QuestionID        int64
	Label             string
	Attempts          int // attempts, marked in full, that showed it
	Facility          float64
	HasFacility       bool
	Discrimination    float64
	HasDiscrimination bool
}

// QuestionStats gives each question's facility and discrimination index over the finished
// attempts marked in full (an attempt with an essay still to mark would count it as 0 and
// pull both down), in the order the questions first appear in the attempts.
func QuestionStats(attempts []AttemptResult, slots []SlotResult) []QuestionStat {
	total := map[int64]float64{}
	for _, a := range attempts {
		if a.Finished() && !a.Pending {
			total[a.AttemptID] = a.Score
		}
	}
	type acc struct {
		stat          QuestionStat
		first         int
		fractions     []float64
		points, whole []float64
	}
	by := map[int64]*acc{}
	for _, s := range slots {
		score, ok := total[s.AttemptID]
		if !ok || s.Pending || s.Points == 0 { // a description, or a question worth nothing, says nothing of anyone
			continue
		}
		x := by[s.QuestionID]
		if x == nil {
			x = &acc{stat: QuestionStat{QuestionID: s.QuestionID, Label: s.Label}, first: s.Slot}
			by[s.QuestionID] = x
		}
		x.first = min(x.first, s.Slot)
		x.fractions = append(x.fractions, s.Fraction)
		x.points = append(x.points, s.Fraction*s.Points)
		x.whole = append(x.whole, score)
	}
	out := make([]QuestionStat, 0, len(by))
	firsts := map[int64]int{}
	for id, x := range by {
		x.stat.Attempts = len(x.fractions)
		x.stat.Facility, x.stat.HasFacility = FacilityIndex(x.fractions)
		x.stat.Discrimination, x.stat.HasDiscrimination = DiscriminationIndex(x.points, x.whole)
		out = append(out, x.stat)
		firsts[id] = x.first
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if firsts[a.QuestionID] != firsts[b.QuestionID] {
			return firsts[a.QuestionID] < firsts[b.QuestionID]
		}
		return a.QuestionID < b.QuestionID
	})
	return out
}

// EssayToMark is an essay of a finished attempt waiting for an instructor's mark.
type EssayToMark struct {
	AttemptID   int64
	Slot        int
	QuizID      int64
	QuizTitles  map[string]string
	UserID      int64
	FullName    string
	SubmittedAt time.Time
}

// QuizGrant is what an instructor gave one trainee beyond a quiz's rules.
type QuizGrant struct {
	UserID    int64
	FullName  string
	Email     string
	Attempts  int
	Minutes   int
	GrantedBy string // the instructor's name
	GrantedAt time.Time
}
