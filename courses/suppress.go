package courses

import (
	"sort"
	"time"
)

// Cell says how a count of a breakdown is published.
type Cell uint8

const (
	CellShown    Cell = iota
	CellSmall         // under the threshold: shown as "fewer than N"
	CellWithheld      // not shown, so that a small one cannot be worked out from the total
)

// Suppress says how to publish each of a breakdown's counts when small groups are suppressed
// (threshold 0 or 1: every count shown). A count from 1 to threshold-1 is CellSmall; zeros
// are shown, a group nobody is in reveals nobody. The counts add up to a total that is shown
// too (the caller hides a total under the threshold, and then only the small counts are), so a small count hidden alone would be
// the total minus the others. So Suppress also withholds the smallest counts shown, one by one,
// until no small count can be narrowed down by arithmetic below "fewer than N" (any value from
// 1 to N-1 stays possible). Where even withholding every count would not do it (a few small
// counts and little else), every count is withheld alike, zeros included.
func Suppress(counts []int, threshold int) []Cell {
	cells := make([]Cell, len(counts))
	if threshold <= 1 {
		return cells
	}
	small, total := false, 0
	for i, n := range counts {
		total += n
		if n > 0 && n < threshold {
			cells[i], small = CellSmall, true
		}
	}
	if !small || total < threshold {
		return cells // with a total under the threshold, the total is hidden too: nothing to subtract from
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return counts[order[a]] < counts[order[b]] })
	for !protected(counts, cells, threshold) {
		next := -1
		for _, i := range order {
			if cells[i] == CellShown && counts[i] > 0 {
				next = i
				break
			}
		}
		if next < 0 {
			for i := range cells {
				cells[i] = CellWithheld
			}
			return cells
		}
		cells[next] = CellWithheld
	}
	return cells
}

// protected says whether every small count could still be any value from 1 to t-1, for
// someone who knows the total and the counts shown: a small count lies in [1, t-1], a
// withheld one in [t, total].
func protected(counts []int, cells []Cell, t int) bool {
	sum, small, withheld := 0, 0, 0
	for i, n := range counts {
		switch cells[i] {
		case CellSmall:
			small++
			sum += n
		case CellWithheld:
			withheld++
			sum += n
		}
	}
	// The bounds of one small count, the others at their extremes.
	lo := 1 // a withheld count can absorb whatever the small ones leave
	if withheld == 0 {
		lo = max(1, sum-(small-1)*(t-1))
	}
	hi := min(t-1, sum-(small-1)-withheld*t)
	return lo == 1 && hi == t-1
}

// SuppressedCount is a count as published: Hidden when it is under the threshold.
type SuppressedCount struct {
	N      int
	Hidden bool
}

// SuppressTotal hides a single figure under the threshold (0 excepted, as Suppress does).
func SuppressTotal(n, threshold int) SuppressedCount {
	return SuppressedCount{N: n, Hidden: threshold > 1 && n > 0 && n < threshold}
}

// DefaultImpactSuppression is the public impact page's threshold: a group of fewer than five
// people is shown as "fewer than 5".
const DefaultImpactSuppression = 5

// Impact is the school's public headline figures, as counted (before any suppression).
//   - Trained: distinct people holding a current certificate (neither replaced nor revoked);
//     Women: those of them whose profile says woman.
//   - Courses: courses published now; Programmes: course runs (cohorts, a course's self-paced
//     one included) in which at least one current certificate was issued.
//   - Countries: distinct countries of the people trained.
//   - ByYear: people trained by the year of their first current certificate, so that the years
//     add up to Trained; ByCountry, BySector: people trained by their profile's country, sector.
type Impact struct {
	Trained, Women      int
	Courses, Programmes int
	Countries           int
	ByYear, ByCountry   []ImpactCount
	BySector            []ImpactCount
	CountedAt           time.Time // when the reports' copies it was counted from were made
}

// ImpactCount is one group of the impact page's breakdowns.
type ImpactCount struct {
	Key string
	N   int
}

// MergeSmall is how the public impact page publishes a breakdown: a group under the
// threshold is not listed at all (its name beside "fewer than 5" would say it has at least
// one, and its place in a sorted list would bound it) but merged with the others like it
// into one "other groups" row; while that row is itself under the threshold, the smallest
// groups listed join it too, so that it cannot be worked out from the total either. It
// returns which groups are merged and the merged row's count. With threshold 0 or 1
// nothing is merged; zeros are never listed nor merged.
func MergeSmall(counts []int, threshold int) (merged []bool, other int) {
	merged = make([]bool, len(counts))
	if threshold <= 1 {
		return merged, 0
	}
	for i, n := range counts {
		if n > 0 && n < threshold {
			merged[i], other = true, other+n
		}
	}
	if other == 0 {
		return merged, 0
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return counts[order[a]] < counts[order[b]] })
	for _, i := range order {
		if other >= threshold {
			break
		}
		if !merged[i] && counts[i] > 0 {
			merged[i], other = true, other+counts[i]
		}
	}
	return merged, other
}
