package courses

import (
	"math"
	"testing"
)

func TestDiscriminationIndexIsTheCorrelationWithTheRest(t *testing.T) {
	// Question worth 1 point; totals include it.
	tests := []struct {
		name     string
		q, total []float64
		want     float64
		ok       bool
	}{
		{"good question", []float64{1, 1, 0, 0}, []float64{9, 8, 3, 2}, 0.9805807, true},        // 5/√26,
		{"misleading question", []float64{0, 0, 1, 1}, []float64{8, 7, 3, 2}, -0.9863939, true}, // -6/√37,
		{"rest unrelated", []float64{1, 0, 1, 0}, []float64{6, 5, 4, 3}, 0, true},
		{"one attempt", []float64{1}, []float64{5}, 0, false},
		{"everyone right", []float64{1, 1, 1}, []float64{5, 6, 7}, 0, false},
		{"rest the same", []float64{1, 0, 1}, []float64{5, 4, 5}, 0, false},
		{"lengths differ", []float64{1, 0}, []float64{5}, 0, false},
	}
	for _, tt := range tests {
		got, ok := DiscriminationIndex(tt.q, tt.total)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("%s: %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFacilityIndexIsTheMeanFraction(t *testing.T) {
	if f, ok := FacilityIndex([]float64{1, 0, 0.5, 0.5}); !ok || f != 0.5 {
		t.Errorf("FacilityIndex = %v, %v", f, ok)
	}
	if _, ok := FacilityIndex(nil); ok {
		t.Error("no attempts gave a facility index")
	}
}
