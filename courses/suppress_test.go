package courses

import (
	"slices"
	"testing"
)

func TestSuppressHidesSmallCountsAndWhatWouldGiveThemAway(t *testing.T) {
	tests := []struct {
		name      string
		counts    []int
		threshold int
		want      string // s small, w withheld, . shown
	}{
		{"off", []int{1, 2, 300}, 0, "..."},
		{"threshold 1 hides nothing", []int{1, 2, 300}, 1, "..."},
		{"nothing small", []int{5, 12, 300}, 5, "..."},
		{"zeros are shown", []int{0, 12, 300}, 5, "..."},
		// 3 alone hidden is 315 minus the others: the smallest shown (12) goes too.
		{"one small, and the next smallest", []int{3, 12, 300}, 5, "sw."},
		{"two small, far apart enough", []int{2, 3, 300}, 5, "ss."},
		// 1 and 1 hidden: their sum 2 says each is 1, so another goes.
		{"two ones give each other away", []int{1, 1, 300, 40}, 5, "ss.w"},
		{"the smallest shown goes first", []int{4, 300, 9, 50}, 5, "s.w."},
		// 1 and 5 withheld with 6 known: the small one can only be 1. All withheld alike.
		{"too little to hide behind", []int{0, 1, 5}, 5, "www"},
		{"a total under the threshold is hidden itself", []int{1, 2, 0}, 5, "ss."},
		{"empty", nil, 5, ""},
	}
	for _, tt := range tests {
		got := ""
		for _, c := range Suppress(tt.counts, tt.threshold) {
			got += map[Cell]string{CellShown: ".", CellSmall: "s", CellWithheld: "w"}[c]
		}
		if got != tt.want {
			t.Errorf("%s: %v under %d: %s, want %s", tt.name, tt.counts, tt.threshold, got, tt.want)
		}
	}
}

// TestNoSuppressedCountCanBeWorkedOut tries every breakdown of three counts up to 12: for
// each, someone who knows the total and what is published lists every set of counts
// consistent with them; a small count must keep every value from 1 to 4 possible, and a count
// shown as nothing but "withheld" must not be pinned to one value either.
func TestNoSuppressedCountCanBeWorkedOut(t *testing.T) {
	const threshold = 5
	for a := 0; a <= 12; a++ {
		for b := 0; b <= 12; b++ {
			for c := 0; c <= 12; c++ {
				counts := []int{a, b, c}
				cells := Suppress(counts, threshold)
				total := a + b + c
				if total > 0 && total < threshold {
					continue // the total is hidden too
				}
				anySmall, anyShown := false, false
				for _, cl := range cells {
					anySmall = anySmall || cl == CellSmall
					anyShown = anyShown || cl == CellShown
				}
				// What "withheld" tells: at least the threshold beside small counts (else it would be
				// small), at least 1 beside shown zeros, nothing when all are withheld.
				withheldMin := 0
				if anySmall {
					withheldMin = threshold
				} else if anyShown {
					withheldMin = 1
				}
				possible := []map[int]bool{{}, {}, {}}
				for x := 0; x <= total; x++ {
					for y := 0; y <= total-x; y++ {
						cand := []int{x, y, total - x - y}
						ok := true
						for i := range cand {
							switch cells[i] {
							case CellShown:
								ok = ok && cand[i] == counts[i]
							case CellSmall:
								ok = ok && cand[i] >= 1 && cand[i] < threshold
							default:
								ok = ok && cand[i] >= withheldMin
							}
						}
						if ok {
							for i := range cand {
								possible[i][cand[i]] = true
							}
						}
					}
				}
				for i, n := range counts {
					switch {
					case cells[i] == CellSmall && len(possible[i]) < threshold-1:
						t.Errorf("%v published %v: small count %d narrowed to %v", counts, cells, n, possible[i])
					case cells[i] == CellWithheld && len(possible[i]) < 2:
						t.Errorf("%v published %v: withheld count %d worked out", counts, cells, n)
					case cells[i] == CellShown && n > 0 && n < threshold:
						t.Errorf("%v published %v: small count %d shown", counts, cells, n)
					}
				}
			}
		}
	}
}

func TestSuppressTotal(t *testing.T) {
	for _, tt := range []struct {
		n, threshold int
		hidden       bool
	}{{0, 5, false}, {1, 5, true}, {4, 5, true}, {5, 5, false}, {3, 0, false}, {3, 1, false}} {
		if got := SuppressTotal(tt.n, tt.threshold); got.Hidden != tt.hidden || got.N != tt.n {
			t.Errorf("%d under %d: %+v", tt.n, tt.threshold, got)
		}
	}
}

func TestMergeSmallListsNoGroupUnderTheThresholdAndNoMergedRowThatGivesOneAway(t *testing.T) {
	for _, tc := range []struct {
		name      string
		counts    []int
		threshold int
		merged    []bool
		other     int
	}{
		{"off", []int{300, 2}, 1, []bool{false, false}, 0},
		{"nothing small", []int{300, 6, 5}, 5, []bool{false, false, false}, 0},
		{"small ones add up to the threshold", []int{300, 3, 2}, 5, []bool{false, true, true}, 5},
		// One small group alone is the total minus the others: the smallest listed joins it.
		{"one small group takes the next smallest along", []int{300, 6, 5, 4}, 5, []bool{false, false, true, true}, 9},
		{"ten groups of one", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 5, []bool{true, true, true, true, true, true, true, true, true, true}, 10},
		{"a total under the threshold is one row", []int{2, 1}, 5, []bool{true, true}, 3},
		{"zeros are neither listed nor merged", []int{0, 7, 1}, 5, []bool{false, true, true}, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			merged, other := MergeSmall(tc.counts, tc.threshold)
			if !slices.Equal(merged, tc.merged) || other != tc.other {
				t.Errorf("MergeSmall(%v, %d) = %v, %d; want %v, %d", tc.counts, tc.threshold, merged, other, tc.merged, tc.other)
			}
			// What the page shows: no listed group under the threshold, and a merged row that is
			// either 0 or made of at least one group that is not small (or of everything, when
			// the total is small: then the page says "fewer than N" for it).
			total := 0
			for i, n := range tc.counts {
				total += n
				if !merged[i] && n > 0 && n < tc.threshold && tc.threshold > 1 {
					t.Errorf("group %d (%d) is listed", i, n)
				}
			}
			if other > 0 && other < tc.threshold && total >= tc.threshold {
				t.Errorf("the merged row %d is small while the total %d is not", other, total)
			}
		})
	}
}
