package demo

import (
	"math"
	"math/rand/v2"
)

// cities are where members live: the city centre's coordinates and a weight
// roughly following the size of the city's online-shopping population.
// Members are scattered within scatterKm of the centre, so that "within 5 km
// of a store" selects a plausible minority.
var cities = []struct {
	name     string
	lat, lon float64
	weight   uint32
}{
	{"上海", 31.2304, 121.4737, 120}, {"北京", 39.9042, 116.4074, 115}, {"广州", 23.1291, 113.2644, 90},
	{"深圳", 22.5431, 114.0579, 95}, {"杭州", 30.2741, 120.1551, 70}, {"成都", 30.5728, 104.0668, 75},
	{"重庆", 29.5630, 106.5516, 70}, {"武汉", 30.5928, 114.3055, 60}, {"南京", 32.0603, 118.7969, 50},
	{"西安", 34.3416, 108.9398, 50}, {"苏州", 31.2989, 120.5853, 50}, {"天津", 39.3434, 117.3616, 45},
	{"长沙", 28.2282, 112.9388, 40}, {"郑州", 34.7466, 113.6254, 40}, {"东莞", 23.0207, 113.7518, 35},
	{"青岛", 36.0671, 120.3826, 35}, {"沈阳", 41.8057, 123.4315, 30}, {"宁波", 29.8683, 121.5440, 30},
	{"昆明", 25.0389, 102.7183, 28}, {"合肥", 31.8206, 117.2272, 30}, {"佛山", 23.0215, 113.1214, 30},
	{"福州", 26.0745, 119.2965, 25}, {"厦门", 24.4798, 118.0894, 22}, {"济南", 36.6512, 117.1201, 25},
	{"大连", 38.9140, 121.6147, 20}, {"哈尔滨", 45.8038, 126.5350, 20}, {"长春", 43.8171, 125.3235, 18},
	{"南昌", 28.6820, 115.8579, 18}, {"南宁", 22.8170, 108.3665, 18}, {"贵阳", 26.6470, 106.6302, 15},
	{"石家庄", 38.0428, 114.5149, 18}, {"无锡", 31.4912, 120.3119, 20},
}

// scatterKm bounds how far from its city's centre a member lives.
const scatterKm = 15.0

var cityCum = func() []uint32 {
	w := make([]uint32, len(cities))
	for i, c := range cities {
		w[i] = c.weight
	}
	return cumulative(w)
}()

// place draws a city and a point uniformly spread over the disc of radius
// scatterKm around its centre (the square root keeps the density uniform
// rather than crowding the centre).
func place(r *rand.Rand) (city int, lat, lon float64) {
	city = pick(r, cityCum)
	c := cities[city]
	dist := scatterKm * math.Sqrt(r.Float64())
	angle := 2 * math.Pi * r.Float64()
	const kmPerDegree = 111.32
	lat = c.lat + dist*math.Cos(angle)/kmPerDegree
	lon = c.lon + dist*math.Sin(angle)/(kmPerDegree*math.Cos(c.lat*math.Pi/180))
	return city, lat, lon
}
