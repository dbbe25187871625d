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

// QuestionCategory is a category of a course's question bank.
type QuestionCategory struct {
	ID        int64
	CourseID  int64
	Name      string
	Questions int // questions in it, not counting deleted ones
}

// BankQuestion is a question of a course's bank at its current version.
type BankQuestion struct {
	ID         int64
	CourseID   int64
	CategoryID int64
	Category   string
	Version    int
	Question   Question
}

// Attempt is one trainee's attempt at a quiz, as the server holds it: the questions drawn,
// in their order, with their options' order, the start, the deadline and every answer saved.
type Attempt struct {
	ID         int64
	QuizID     int64
	CourseID   int64
	Slug       string            // the course's
	QuizTitles map[string]string // the quiz's titles, by language
	Settings   QuizSettings      // the quiz's settings now: what the review may show
	UserID     int64
	Number     int
	Language   string // the language the questions are shown in, chosen at the start
	Default    string // the course's default language, for texts not translated
	StartedAt  time.Time
	Deadline   time.Time // zero: none
	Grace      time.Duration
	Navigation Navigation
	PerPage    int
	Page       int       // the furthest page reached
	FinishedAt time.Time // zero: in progress
	Score, Max float64
	Pending    bool // an essay awaits its mark
	Passed     bool
	Slots      []AttemptSlot
}

// Finished reports whether the attempt is over.
func (a Attempt) Finished() bool { return !a.FinishedAt.IsZero() }

// AttemptSlot is one question of an attempt: the version shown, the options in the order
// shown with their opaque ids, and the newest answer saved.
type AttemptSlot struct {
	Slot      int
	VersionID int64
	Question  Question
	Order     []int    // answer indexes in the order shown (match: the right items)
	OptionIDs []string // what the page sends for each option in Order
	Response  *Response
	Seq       int64 // the newest save's sequence number
	Mark      *Mark // set once graded (or marked by hand)
}

// AnswerSave is one answer a page sends: the slot, the response in the question's own
// indexes (mapped from option ids), and the save's sequence number for that slot.
type AnswerSave struct {
	Slot     int
	Seq      int64
	Response Response
}

// DefaultCategory names the bank category of questions imported without one.
const DefaultCategory = "default"
