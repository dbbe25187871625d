package courses

import "time"

// Navigation is how a trainee may move between a quiz's pages.
type Navigation string

const (
	NavigationFree       Navigation = "free"       // any page, in any order
	NavigationSequential Navigation = "sequential" // forward only: a page left is never shown again
)

// GradeMethod is which of a trainee's finished attempts counts.
type GradeMethod string

const (
	GradeHighest GradeMethod = "highest"
	GradeLast    GradeMethod = "last"
)

// ReviewWhen is when a finished attempt's review shows one kind of information.
type ReviewWhen string

const (
	ReviewImmediately ReviewWhen = "immediately" // as soon as the attempt is finished
	ReviewAfterClose  ReviewWhen = "after_close" // once the quiz has closed (never, for a quiz that never closes)
	ReviewNever       ReviewWhen = "never"
)

// QuizSettings are a quiz's rules. Zero times mean "no limit".
type QuizSettings struct {
	PassMark       int           `json:"pass_mark"`          // percent of the points, 0..100
	Attempts       int           `json:"attempts"`           // attempts allowed; 0 = unlimited
	TimeLimit      time.Duration `json:"time_limit"`         // 0 = untimed
	Grace          time.Duration `json:"grace"`              // after the deadline, saves still accepted (a slow connection's last answer)
	OpensAt        time.Time     `json:"opens_at"`           // zero = open from the start
	ClosesAt       time.Time     `json:"closes_at"`          // zero = never closes
	Navigation     Navigation    `json:"navigation"`         // free or sequential
	GradeMethod    GradeMethod   `json:"grade_method"`       // highest or last
	ShuffleOptions bool          `json:"shuffle_options"`    // options in a new order for each attempt
	PerPage        int           `json:"per_page"`           // questions per page; 0 = all on one page
	Required       bool          `json:"required"`           // counts for the course's completion
	ReviewAnswers  ReviewWhen    `json:"review_answers"`     // the trainee's own answers and the right ones
	ReviewCorrect  ReviewWhen    `json:"review_correctness"` // right / wrong marks and scores
	ReviewFeedback ReviewWhen    `json:"review_feedback"`    // per-answer and general feedback
}

// DefaultQuizSettings are what a new quiz starts with: Moodle's defaults, where Moodle has them.
func DefaultQuizSettings() QuizSettings {
	return QuizSettings{
		PassMark: 70, Attempts: 0, Grace: 2 * time.Minute,
		Navigation: NavigationFree, GradeMethod: GradeHighest, ShuffleOptions: true, PerPage: 1, Required: true,
		ReviewAnswers: ReviewImmediately, ReviewCorrect: ReviewImmediately, ReviewFeedback: ReviewImmediately,
	}
}

// QuizItem is one entry of a quiz: a fixed question of the bank, or Count questions drawn
// at random, per attempt, from a category of the bank.
type QuizItem struct {
	QuestionID int64 `json:"question_id,omitempty"`
	CategoryID int64 `json:"category_id,omitempty"`
	Count      int   `json:"count,omitempty"`
}

// Quiz is a quiz placed in a module among its lessons: Position lessons of the module come
// before it (a quiz at the end of a module of three lessons has Position 3).
type Quiz struct {
	ID       int64
	Key      string // names it in files and re-imports
	ModuleID int64
	Position int
	Titles   map[string]string
	Settings QuizSettings
	Items    []QuizItem
}

// Limits of a quiz.
const (
	MaxQuizItems     = 200
	MaxQuizQuestions = 200 // questions in one attempt, fixed and drawn together
	MaxQuizTimeLimit = 24 * time.Hour
	MaxQuizGrace     = time.Hour
	MaxQuizAttempts  = 100
)
