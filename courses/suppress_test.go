package courses

import "testing"

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
