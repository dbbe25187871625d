package courses

import (
	"sort"
	"time"
)

// ReportRow is one trainee in an instructor's view of a cohort.
type ReportRow struct {
	UserID                   int64
	FullName, Email, Country string
	Institution, Sector      string
	Status                   EnrolmentStatus
	LessonsDone              int
	LastActivity             *time.Time // nil = never active
	CompletedAt              *time.Time // nil = not completed
	Attended, Counted        int        // sessions attended, of those held that count
	Percent                  int        // of the course's lessons done
}

// SortReport orders a report by the column an instructor chose; rows keep their order
// (by name) where the column ties, and an unknown column leaves them as they are.
// Never active and not completed sort last.
func SortReport(rows []ReportRow, by string) {
	later := func(a, b *time.Time) bool { return a != nil && (b == nil || a.After(*b)) }
	less := map[string]func(a, b ReportRow) bool{
		"progress":   func(a, b ReportRow) bool { return a.Percent > b.Percent },
		"activity":   func(a, b ReportRow) bool { return later(a.LastActivity, b.LastActivity) },
		"attendance": func(a, b ReportRow) bool { return a.Attended > b.Attended },
		"completion": func(a, b ReportRow) bool {
			return a.CompletedAt != nil && (b.CompletedAt == nil || a.CompletedAt.Before(*b.CompletedAt))
		},
	}[by]
	if less != nil {
		sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	}
}
