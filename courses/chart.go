package courses

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The charts' geometry: pure functions from figures to coordinates in an SVG viewBox, which
// the templates draw. A viewBox scales to the width of the page, so the same numbers serve a
// phone and a printed sheet.

// ChartItem is one figure a chart draws; Hidden is a count suppressed for publication, drawn
// without a bar so that its length gives nothing away.
type ChartItem struct {
	Label  string
	Value  int
	Hidden bool
	Note   string // written instead of a hidden count
}

// Tick is a mark on a chart's value axis: Pos is its x (bar charts) or y (line charts).
type Tick struct {
	Pos            float64
	Value          int
	LabelX, LabelY float64 // where its value is written
}

// BarChart is a horizontal bar chart: one row per item, labels on the left, values at the
// bars' ends.
type BarChart struct {
	Width, Height       int
	LabelX              float64 // where the labels end (they are right-aligned)
	PlotX, PlotWidth    float64
	PlotTop, PlotBottom float64
	Bars                []Bar
	Ticks               []Tick
}

// Bar is one row of a BarChart.
type Bar struct {
	ChartItem
	Short     string  // the label, shortened to fit
	Y, Length float64 // the bar's top and length
	Thickness float64
	TextY     float64 // the baseline of its label and value
	ValueX    float64 // where its value is written
}

const (
	chartWidth     = 640
	barLabelWidth  = 200
	barPlotX       = 210
	barPlotRight   = 570 // room for the value after the longest bar
	barRow         = 30
	barThickness   = 20
	barTop         = 8
	barAxisSpace   = 26
	barLabelRunes  = 30
	lineHeight     = 300
	linePlotX      = 56
	linePlotRight  = 620
	linePlotTop    = 12
	linePlotBottom = 250
	lineMaxLabels  = 8
	chartTicks     = 5
)

// NewBarChart lays out items as bars on a scale from 0 to a round number above the largest.
func NewBarChart(items []ChartItem) BarChart {
	largest := 0
	for _, it := range items {
		if !it.Hidden {
			largest = max(largest, it.Value)
		}
	}
	top, step := NiceScale(largest, chartTicks)
	plotWidth := float64(barPlotRight - barPlotX)
	ch := BarChart{Width: chartWidth, LabelX: barLabelWidth, PlotX: barPlotX, PlotWidth: plotWidth, PlotTop: barTop}
	for i, it := range items {
		y := float64(barTop + i*barRow)
		b := Bar{ChartItem: it, Short: shorten(it.Label, barLabelRunes), Y: y + (barRow-barThickness)/2,
			Thickness: barThickness, TextY: round1(y + barRow/2 + 5)}
		if !it.Hidden {
			b.Length = round1(float64(it.Value) * plotWidth / float64(top))
		}
		b.ValueX = round1(barPlotX + b.Length + 6)
		ch.Bars = append(ch.Bars, b)
	}
	ch.PlotBottom = float64(barTop + len(items)*barRow)
	ch.Height = int(ch.PlotBottom) + barAxisSpace
	for v := 0; v <= top; v += step {
		x := round1(barPlotX + float64(v)*plotWidth/float64(top))
		ch.Ticks = append(ch.Ticks, Tick{Pos: x, Value: v, LabelX: x, LabelY: ch.PlotBottom + 18})
	}
	return ch
}

// LineChart draws series over the same points in time (months, years).
type LineChart struct {
	Width, Height       int
	PlotX, PlotRight    float64
	PlotTop, PlotBottom float64
	Series              []LineSeries
	Ticks               []Tick
	XLabels             []XLabel
}

// LineSeries is one line: its points as an SVG points attribute, and a dot at each.
type LineSeries struct {
	Name   string
	Points string
	Dots   []Dot
}

// Dot is one point of a line.
type Dot struct {
	X, Y  float64
	Value int
}

// XLabel names a point of the time axis; with many points only some are named.
type XLabel struct {
	X, Y   float64
	Label  string
	Anchor string // SVG text-anchor: the first and last labels keep inside the chart
}

// Series is one line's values, one per label of the time axis.
type Series struct {
	Name   string
	Values []int
}

// NewLineChart lays out series over labels; every series has one value per label.
func NewLineChart(labels []string, series []Series) LineChart {
	largest := 0
	for _, s := range series {
		for _, v := range s.Values {
			largest = max(largest, v)
		}
	}
	top, step := NiceScale(largest, chartTicks)
	ch := LineChart{Width: chartWidth, Height: lineHeight, PlotX: linePlotX, PlotRight: linePlotRight,
		PlotTop: linePlotTop, PlotBottom: linePlotBottom}
	x := func(i int) float64 {
		if len(labels) <= 1 {
			return round1((linePlotX + linePlotRight) / 2)
		}
		return round1(linePlotX + float64(i)*(linePlotRight-linePlotX)/float64(len(labels)-1))
	}
	y := func(v int) float64 {
		return round1(linePlotBottom - float64(v)*(linePlotBottom-linePlotTop)/float64(top))
	}
	every := max((len(labels)+lineMaxLabels-1)/lineMaxLabels, 1)
	var named []int
	for i := 0; i < len(labels); i += every {
		named = append(named, i)
	}
	if len(named) > 0 {
		named[len(named)-1] = len(labels) - 1 // the last point is always named: it is the one people look for
	}
	for _, i := range named {
		anchor := "middle"
		switch {
		case len(labels) == 1:
		case i == 0:
			anchor = "start"
		case i == len(labels)-1:
			anchor = "end"
		}
		ch.XLabels = append(ch.XLabels, XLabel{X: x(i), Y: linePlotBottom + 24, Label: labels[i], Anchor: anchor})
	}
	for _, s := range series {
		ls := LineSeries{Name: s.Name}
		var pts []string
		for i, v := range s.Values {
			if i >= len(labels) {
				break
			}
			d := Dot{X: x(i), Y: y(v), Value: v}
			ls.Dots = append(ls.Dots, d)
			pts = append(pts, formatCoord(d.X)+","+formatCoord(d.Y))
		}
		ls.Points = strings.Join(pts, " ")
		ch.Series = append(ch.Series, ls)
	}
	for v := 0; v <= top; v += step {
		ch.Ticks = append(ch.Ticks, Tick{Pos: y(v), Value: v, LabelX: linePlotX - 6, LabelY: y(v) + 5})
	}
	return ch
}

// NiceScale returns a round top for an axis showing 0 to largest, and the step between its
// about n ticks: 1, 2 or 5 times a power of ten. An empty chart's axis goes from 0 to 1.
func NiceScale(largest, n int) (top, step int) {
	if largest <= 0 {
		return 1, 1
	}
	n = max(n, 1)
	raw := float64(largest) / float64(n)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(pow)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			step = int(m * pow)
			break
		}
	}
	step = max(step, 1)
	top = (largest + step - 1) / step * step
	return top, step
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func formatCoord(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
