package courses

import "math"

// FacilityIndex is how easy a question proved: the mean of the fractions it earned across
// attempts, 0..1 (Moodle shows it as a percentage). False when no attempt answered it.
func FacilityIndex(fractions []float64) (float64, bool) {
	if len(fractions) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, f := range fractions {
		sum += f
	}
	return sum / float64(len(fractions)), true
}

// DiscriminationIndex is Moodle's discrimination index of a question, -1..1 (Moodle shows it
// as a percentage): the Pearson correlation, across attempts, between the points earned on
// the question (its fraction times its points) and the points earned on the rest of the
// attempt (the attempt's total minus the question's). A high value means trainees who did
// well on the quiz did well on the question; a negative one points at a question that
// misleads the best prepared. questionScores and totalScores run parallel, one per attempt,
// in points; pending attempts are left out by the caller. False when there are fewer than
// two attempts, the two lists differ in length, or either side does not vary (every
// trainee got the question right, say), where the correlation means nothing.
func DiscriminationIndex(questionScores, totalScores []float64) (float64, bool) {
	n := len(questionScores)
	if n < 2 || len(totalScores) != n {
		return 0, false
	}
	var meanQ, meanR float64
	for i := range n {
		meanQ += questionScores[i]
		meanR += totalScores[i] - questionScores[i]
	}
	meanQ, meanR = meanQ/float64(n), meanR/float64(n)
	var cov, varQ, varR float64
	for i := range n {
		dq, dr := questionScores[i]-meanQ, totalScores[i]-questionScores[i]-meanR
		cov += dq * dr
		varQ += dq * dq
		varR += dr * dr
	}
	// Variances this small are float noise around a constant column.
	if varQ <= 1e-12 || varR <= 1e-12 {
		return 0, false
	}
	return math.Max(-1, math.Min(1, cov/math.Sqrt(varQ*varR))), true
}
