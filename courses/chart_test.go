package courses

import (
	"strings"
	"testing"
)

func TestNiceScaleRoundsTheAxisUp(t *testing.T) {
	tests := []struct{ largest, top, step int }{
		{0, 1, 1}, {1, 1, 1}, {3, 3, 1}, {7, 8, 2}, {10, 10, 2}, {23, 25, 5}, {99, 100, 20}, {100, 100, 20},
		{101, 150, 50}, {4321, 5000, 1000}, {50000, 50000, 10000},
	}
	for _, tt := range tests {
		top, step := NiceScale(tt.largest, 5)
		if top != tt.top || step != tt.step {
			t.Errorf("NiceScale(%d) = %d, %d; want %d, %d", tt.largest, top, step, tt.top, tt.step)
		}
		if top < tt.largest || top%step != 0 || top/step > 5 {
			t.Errorf("NiceScale(%d) = %d, %d: not a round axis over it", tt.largest, top, step)
		}
	}
}

func TestBarChartLengthsAreProportional(t *testing.T) {
	ch := NewBarChart([]ChartItem{{Label: "Honduras", Value: 50}, {Label: "Costa Rica", Value: 25}, {Label: "Brasil", Value: 3, Hidden: true},
		{Label: "Nadie", Value: 0}})
	plot := ch.PlotWidth
	want := []float64{plot, plot / 2, 0, 0} // the axis goes to 50
	for i, b := range ch.Bars {
		if b.Length != round1(want[i]) {
			t.Errorf("bar %d: length %v, want %v", i, b.Length, want[i])
		}
		if b.Y <= ch.PlotTop-1 || b.Y+b.Thickness > ch.PlotBottom {
			t.Errorf("bar %d outside the plot: y %v", i, b.Y)
		}
		if i > 0 && b.Y <= ch.Bars[i-1].Y {
			t.Errorf("bar %d not below bar %d", i, i-1)
		}
	}
	if len(ch.Ticks) != 6 || ch.Ticks[5].Value != 50 || ch.Ticks[5].Pos != ch.PlotX+plot || ch.Ticks[0].Pos != ch.PlotX {
		t.Errorf("ticks %+v", ch.Ticks)
	}
	if ch.Height <= int(ch.PlotBottom) || ch.Width != chartWidth {
		t.Errorf("viewBox %dx%d for a plot ending at %v", ch.Width, ch.Height, ch.PlotBottom)
	}
	// A hidden count gives nothing away: no bar, and it does not set the scale.
	alone := NewBarChart([]ChartItem{{Label: "x", Value: 4, Hidden: true}})
	if alone.Bars[0].Length != 0 || alone.Ticks[len(alone.Ticks)-1].Value != 1 {
		t.Errorf("hidden alone: %+v", alone)
	}
	long := NewBarChart([]ChartItem{{Label: strings.Repeat("Municipalidad ", 5), Value: 1}})
	if n := len([]rune(long.Bars[0].Short)); n > barLabelRunes || !strings.HasSuffix(long.Bars[0].Short, "…") {
		t.Errorf("long label shortened to %q", long.Bars[0].Short)
	}
}

func TestLineChartPlacesPointsOnTheScale(t *testing.T) {
	labels := make([]string, 24)
	for i := range labels {
		labels[i] = string(rune('a' + i))
	}
	values := make([]int, 24)
	values[23] = 40
	values[12] = 20
	ch := NewLineChart(labels, []Series{{Name: "enrolments", Values: values}})
	dots := ch.Series[0].Dots
	if len(dots) != 24 || dots[0].X != ch.PlotX || dots[23].X != ch.PlotRight {
		t.Fatalf("dots %v", dots)
	}
	if dots[23].Y != ch.PlotTop || dots[0].Y != ch.PlotBottom || dots[12].Y != round1((ch.PlotTop+ch.PlotBottom)/2) {
		t.Errorf("y of 40, 0, 20: %v %v %v on a plot from %v to %v", dots[23].Y, dots[0].Y, dots[12].Y, ch.PlotTop, ch.PlotBottom)
	}
	if !strings.HasPrefix(ch.Series[0].Points, "56,250 ") || strings.Count(ch.Series[0].Points, " ") != 23 {
		t.Errorf("points %q", ch.Series[0].Points)
	}
	if n := len(ch.XLabels); n > lineMaxLabels || ch.XLabels[0].Label != "a" || ch.XLabels[n-1].Label != "x" ||
		ch.XLabels[0].Anchor != "start" || ch.XLabels[n-1].Anchor != "end" || ch.XLabels[1].Anchor != "middle" {
		t.Errorf("x labels %+v", ch.XLabels)
	}
	one := NewLineChart([]string{"2027-01"}, []Series{{Values: []int{3}}})
	if one.Series[0].Dots[0].X != round1((one.PlotX+one.PlotRight)/2) || len(one.XLabels) != 1 {
		t.Errorf("a single month: %+v", one)
	}
	empty := NewLineChart(nil, nil)
	if len(empty.XLabels) != 0 || len(empty.Ticks) != 2 {
		t.Errorf("empty: %+v", empty)
	}
}
