package predict

import "time"

// Habit returns the weekday and hour at which a customer habitually buys,
// read in loc (the customer's time zone), and how strong the habit is.
//
// Weekdays and hours are counted in two circular histograms, each smoothed
// with the kernel (1, 2, 1)/4, so that 23h and 0h are neighbours, as are
// Saturday and Sunday: a customer who shops at 23:50 and at 00:10 has one
// habit, not two half-habits. The mode of each smoothed histogram is the
// answer; a tie goes to the bin with more purchases of its own, then to the
// earliest (Sunday first, as time.Weekday counts).
//
// Confidence is the share of purchases that fall near the habit: on the
// mode weekday or a neighbouring day, and within an hour of the mode hour.
// Purchases spread evenly over the week give about 3/7 * 3/24 = 0.05; a
// customer who always buys on Saturday afternoon gives 1. With no purchases
// the result is Sunday, hour 0 and confidence 0.
func Habit(times []time.Time, loc *time.Location) (weekday time.Weekday, hour int, confidence float64) {
	if len(times) == 0 {
		return time.Sunday, 0, 0
	}
	if loc == nil {
		loc = time.UTC
	}
	var days [7]float64
	var hours [24]float64
	for _, t := range times {
		lt := t.In(loc)
		days[lt.Weekday()]++
		hours[lt.Hour()]++
	}
	weekday = time.Weekday(circularMode(days[:]))
	hour = circularMode(hours[:])
	near := 0
	for _, t := range times {
		lt := t.In(loc)
		if circularDist(int(lt.Weekday()), int(weekday), 7) <= 1 && circularDist(lt.Hour(), hour, 24) <= 1 {
			near++
		}
	}
	return weekday, hour, float64(near) / float64(len(times))
}

// circularMode returns the index of the largest bin after (1, 2, 1)
// smoothing on a circle, breaking ties by raw count and then by index.
func circularMode(bins []float64) int {
	n := len(bins)
	best, bestScore := 0, -1.0
	for i := range bins {
		score := bins[(i+n-1)%n] + 2*bins[i] + bins[(i+1)%n]
		if score > bestScore || (score == bestScore && bins[i] > bins[best]) {
			best, bestScore = i, score
		}
	}
	return best
}

// circularDist is the distance between bins i and j on a circle of n bins.
func circularDist(i, j, n int) int {
	d := (i - j + n) % n
	return min(d, n-d)
}
