package demo

import "math/rand/v2"

// surnames are the common Chinese family names with weights roughly
// proportional to their share of the population (per 100,000), so that
// 王, 李 and 张 dominate as they do in any real member list. A few compound
// surnames are included, a little more often than in life, so that a demo
// shows templates coping with two-character surnames (欧阳女士).
var surnames = []struct {
	name   string
	weight uint32
}{
	{"王", 7250}, {"李", 7190}, {"张", 6830}, {"刘", 5380}, {"陈", 4530}, {"杨", 3080},
	{"黄", 2230}, {"赵", 2200}, {"吴", 2050}, {"周", 1910}, {"徐", 1530}, {"孙", 1520},
	{"马", 1440}, {"朱", 1260}, {"胡", 1160}, {"郭", 1140}, {"何", 1070}, {"林", 1130},
	{"高", 1030}, {"罗", 940}, {"郑", 850}, {"梁", 810}, {"谢", 760}, {"宋", 720},
	{"唐", 710}, {"许", 680}, {"韩", 670}, {"冯", 650}, {"邓", 630}, {"曹", 620},
	{"彭", 600}, {"曾", 590}, {"肖", 580}, {"田", 570}, {"董", 560}, {"袁", 550},
	{"潘", 540}, {"于", 530}, {"蒋", 520}, {"蔡", 510}, {"余", 500}, {"杜", 490},
	{"叶", 480}, {"程", 470}, {"苏", 460}, {"魏", 450}, {"吕", 440}, {"丁", 430},
	{"任", 420}, {"沈", 410}, {"姚", 400}, {"卢", 390}, {"姜", 380}, {"崔", 370},
	{"钟", 360}, {"谭", 350}, {"陆", 340}, {"汪", 330}, {"范", 320}, {"金", 310},
	{"石", 300}, {"廖", 290}, {"贾", 280}, {"夏", 270}, {"韦", 260}, {"付", 250},
	{"方", 245}, {"白", 240}, {"邹", 235}, {"孟", 230}, {"熊", 225}, {"秦", 220},
	{"邱", 215}, {"江", 210}, {"尹", 205}, {"薛", 200}, {"闫", 195}, {"段", 190},
	{"雷", 185}, {"侯", 180}, {"龙", 175}, {"史", 170}, {"陶", 165}, {"黎", 160},
	{"贺", 155}, {"顾", 150}, {"毛", 145}, {"郝", 140}, {"龚", 135}, {"邵", 130},
	{"万", 125}, {"钱", 120}, {"严", 115}, {"覃", 110}, {"武", 105}, {"戴", 100},
	{"莫", 95}, {"孔", 90}, {"向", 85}, {"汤", 80},
	{"欧阳", 60}, {"司马", 25}, {"上官", 20}, {"诸葛", 15}, {"东方", 15}, {"皇甫", 10}, {"慕容", 10},
}

// Characters for given names. Names are one or two characters drawn from
// the gendered list, with a neutral character mixed in now and then, which
// is how most mainland given names look.
var (
	femaleChars = []string{
		"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "婷", "雪", "慧", "颖",
		"琳", "洁", "倩", "晶", "欣", "怡", "佳", "萍", "燕", "红", "梅", "莉", "琴", "云",
		"莹", "璐", "瑶", "悦", "雯", "思", "诗", "梦", "月", "妍", "婧", "蕾", "薇", "涵",
	}
	maleChars = []string{
		"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏",
		"华", "飞", "鑫", "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙",
		"峰", "亮", "成", "阳", "东", "博", "志", "建", "国", "宏", "晨", "轩", "睿", "哲",
	}
	neutralChars = []string{
		"子", "一", "家", "嘉", "泽", "可", "安", "雨", "天", "晓", "文", "春", "海", "新",
		"永", "金", "立", "小", "思", "梓", "若", "明",
	}
)

var surnameCum = func() []uint32 {
	w := make([]uint32, len(surnames))
	for i, s := range surnames {
		w[i] = s.weight
	}
	return cumulative(w)
}()

// appendName writes a full name: surname then a one- or two-character given
// name.
func appendName(b []byte, r *rand.Rand, female bool) []byte {
	b = append(b, surnames[pick(r, surnameCum)].name...)
	chars := maleChars
	if female {
		chars = femaleChars
	}
	if chance(r, 0.18) {
		return append(b, chars[r.IntN(len(chars))]...)
	}
	if chance(r, 0.3) {
		b = append(b, neutralChars[r.IntN(len(neutralChars))]...)
	} else {
		b = append(b, chars[r.IntN(len(chars))]...)
	}
	return append(b, chars[r.IntN(len(chars))]...)
}
