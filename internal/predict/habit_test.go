package predict

import (
	"math"
	"testing"
	"time"
)

// TestHabitWeekendAfternoons is the article's "supplement buyers shop on
// weekend afternoons", with one weekday-morning exception.
func TestHabitWeekendAfternoons(t *testing.T) {
	// 2026-03-07 is a Saturday.
	times := []time.Time{
		day(2026, 3, 7, 15), day(2026, 3, 8, 14), day(2026, 3, 14, 16),
		day(2026, 3, 21, 15), day(2026, 3, 22, 15), day(2026, 3, 24, 9),
	}
	wd, hour, conf := Habit(times, shanghai)
	if wd != time.Saturday || hour != 15 {
		t.Errorf("habit = %v %dh, want Saturday 15h", wd, hour)
	}
	if math.Abs(conf-5.0/6) > 1e-12 {
		t.Errorf("confidence = %v, want 5/6", conf)
	}
}

// TestHabitAroundMidnight checks that 23h and 0h are neighbours: a cluster
// split across midnight beats a single busier hour at noon.
func TestHabitAroundMidnight(t *testing.T) {
	var times []time.Time
	add := func(n, d, h int) {
		for range n {
			times = append(times, day(2026, 3, d, h))
		}
	}
	add(3, 10, 23) // Tuesday 23h
	add(3, 11, 0)  // Wednesday 0h
	add(4, 11, 12) // Wednesday noon, the busiest single hour
	wd, hour, conf := Habit(times, shanghai)
	if hour != 0 && hour != 23 {
		t.Fatalf("hour = %d, want the midnight cluster", hour)
	}
	// The smoothed scores of 23h and 0h tie; the tie goes to the earlier
	// bin with equal raw count, 0h.
	if hour != 0 || wd != time.Wednesday {
		t.Errorf("habit = %v %dh, want Wednesday 0h", wd, hour)
	}
	if math.Abs(conf-0.6) > 1e-12 {
		t.Errorf("confidence = %v, want 0.6", conf)
	}
}

// TestHabitUsesCustomerZone reads the same instants in two zones.
func TestHabitUsesCustomerZone(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 3, 2, 2, 30, 0, 0, time.UTC), // Monday 10:30 in Shanghai
		time.Date(2026, 3, 9, 2, 10, 0, 0, time.UTC),
		time.Date(2026, 3, 16, 1, 50, 0, 0, time.UTC),
	}
	wd, hour, conf := Habit(times, shanghai)
	if wd != time.Monday || hour != 10 || conf != 1 {
		t.Errorf("Shanghai: %v %dh %.2f, want Monday 10h 1.00", wd, hour, conf)
	}
	if _, hour, _ := Habit(times, time.UTC); hour != 2 {
		t.Errorf("UTC hour = %d, want 2", hour)
	}
}

func TestHabitEmptyAndSpread(t *testing.T) {
	if _, _, conf := Habit(nil, shanghai); conf != 0 {
		t.Errorf("no purchases: confidence %v, want 0", conf)
	}
	// One purchase in every hour of every weekday: no habit to speak of.
	var times []time.Time
	for d := 1; d <= 7; d++ {
		for h := range 24 {
			times = append(times, day(2026, 3, d, h))
		}
	}
	if _, _, conf := Habit(times, shanghai); math.Abs(conf-3.0/7*3.0/24) > 1e-12 {
		t.Errorf("uniform spread: confidence %v, want 3/56", conf)
	}
}
