package courses

import (
	"testing"
	"time"
)

func TestSortReportPutsNeverActiveAndNotCompletedLast(t *testing.T) {
	day := func(d int) *time.Time { v := time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC); return &v }
	rows := func() []ReportRow {
		return []ReportRow{
			{FullName: "Ana", LastActivity: nil, CompletedAt: day(5), Percent: 10, Attended: 1},
			{FullName: "Beto", LastActivity: day(2), CompletedAt: nil, Percent: 90, Attended: 3},
			{FullName: "Carla", LastActivity: day(4), CompletedAt: day(3), Percent: 50, Attended: 2},
		}
	}
	names := func(rs []ReportRow) string {
		s := ""
		for _, r := range rs {
			s += r.FullName + " "
		}
		return s
	}
	for by, want := range map[string]string{
		"name":       "Ana Beto Carla ",
		"progress":   "Beto Carla Ana ",
		"activity":   "Carla Beto Ana ",
		"attendance": "Beto Carla Ana ",
		"completion": "Carla Ana Beto ",
		"unknown":    "Ana Beto Carla ",
	} {
		rs := rows()
		SortReport(rs, by)
		if got := names(rs); got != want {
			t.Errorf("sort by %s: %q, want %q", by, got, want)
		}
	}
}
