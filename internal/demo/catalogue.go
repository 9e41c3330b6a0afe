package demo

import (
	"io"
	"slices"
	"strconv"
)

// Categories, in the order their products are listed. Each has its own
// buying rhythm (see persona.go).
const (
	catFormula    = iota // infant formula: a can every two to three weeks
	catDiapers           // diapers: a pack about every 28 days
	catBaby              // baby care: wipes, bottles, bought alongside the two above
	catCatFood           // cat food: a bag about every 30 days
	catPet               // cat litter, treats, bought alongside cat food
	catSkincare          // skincare: a jar every 45-60 days
	catApparel           // apparel: seasonal, irregular
	catAppliance         // small appliances: rare, high value
	catSupplement        // supplements: weekend afternoons
	catMedicine          // chronic medicine: the 5th-10th of each month
	numCats
)

// categoryNames are the category column's values, as a Chinese shop's
// export writes them.
var categoryNames = [numCats]string{"奶粉", "纸尿裤", "母婴用品", "猫粮", "宠物用品", "护肤", "服装", "小家电", "保健品", "慢病用药"}

var categoryCodes = [numCats]string{"MF", "DP", "BB", "CF", "PT", "SK", "AP", "HA", "HS", "RX"}

// Seasons an apparel item sells in.
const (
	allYear = iota
	winter
	summer
)

type item struct {
	name   string
	price  int64 // fen
	season int
}

// catalogue lists twelve real-looking products per category with their
// usual retail prices.
var catalogue = [numCats][]item{
	catFormula: {
		{"飞鹤星飞帆 3段 700g", 24800, 0}, {"飞鹤星飞帆 2段 700g", 26800, 0}, {"君乐宝优萃 3段 800g", 19800, 0},
		{"美赞臣蓝臻 3段 820g", 35800, 0}, {"爱他美卓萃 3段 900g", 39800, 0}, {"惠氏启赋 3段 810g", 36800, 0},
		{"伊利金领冠 3段 800g", 21800, 0}, {"a2至初 3段 900g", 32900, 0}, {"合生元派星 2段 800g", 29600, 0},
		{"雀巢能恩 3段 760g", 17800, 0}, {"佳贝艾特悦白羊奶粉 3段 800g", 38900, 0}, {"海普诺凯1897 3段 800g", 31800, 0},
	},
	catDiapers: {
		{"花王纸尿裤 L 54片", 13900, 0}, {"花王纸尿裤 M 64片", 13900, 0}, {"帮宝适一级帮纸尿裤 L 52片", 16900, 0},
		{"帮宝适黑金帮拉拉裤 XL 36片", 18900, 0}, {"好奇心钻装纸尿裤 L 40片", 15900, 0}, {"好奇金装拉拉裤 XL 40片", 10900, 0},
		{"moony纸尿裤 M 64片", 12900, 0}, {"大王光羽纸尿裤 L 54片", 14900, 0}, {"巴布豆纸尿裤 L 60片", 6990, 0},
		{"babycare皇室弱酸纸尿裤 L 40片", 11900, 0}, {"安儿乐纸尿裤 L 62片", 5990, 0}, {"雀氏柔薄乐动拉拉裤 XL 42片", 7990, 0},
	},
	catBaby: {
		{"全棉时代婴儿棉柔巾 100抽×6包", 6990, 0}, {"贝亲宽口径玻璃奶瓶 240ml", 15900, 0}, {"babycare婴儿湿巾 80抽×10包", 9900, 0},
		{"好奇婴儿湿巾 80抽×8包", 7990, 0}, {"贝亲婴儿洗发沐浴露 200ml", 4990, 0}, {"红色小象婴儿面霜 50g", 5900, 0},
		{"可优比婴儿口水巾 6条", 3990, 0}, {"十月结晶储奶袋 100片", 5990, 0}, {"英氏婴儿米粉 258g", 5800, 0},
		{"小皮有机米粉 160g", 6900, 0}, {"强生婴儿润肤露 200ml", 3990, 0}, {"布朗博士防胀气奶瓶 270ml", 12800, 0},
	},
	catCatFood: {
		{"皇家幼猫粮 2kg", 18900, 0}, {"皇家室内成猫粮 4.5kg", 34500, 0}, {"渴望六种鱼猫粮 5.4kg", 69800, 0},
		{"爱肯拿农场盛宴猫粮 1.8kg", 26900, 0}, {"冠能成猫粮 7kg", 39800, 0}, {"网易严选全价猫粮 1.8kg", 8900, 0},
		{"麦富迪弗列加特猫粮 1.8kg", 15900, 0}, {"伟嘉成猫粮海洋鱼味 3.6kg", 11900, 0}, {"比瑞吉天然猫粮 2kg", 13900, 0},
		{"诚实一口P40猫粮 1.5kg", 14900, 0}, {"希尔斯成猫粮 1.8kg", 17800, 0}, {"蓝氏猎鸟乳鸽猫粮 1.5kg", 12900, 0},
	},
	catPet: {
		{"豆腐猫砂 6L×4包", 9900, 0}, {"膨润土猫砂 10kg", 4990, 0}, {"巅峰猫罐头 85g×6", 10800, 0},
		{"麦富迪猫条 15g×30", 5990, 0}, {"小佩自动喂食器", 39900, 0}, {"瓦楞纸猫抓板", 2990, 0},
		{"猫草种子套装", 1990, 0}, {"化毛膏 120g", 6900, 0}, {"大宠爱猫用驱虫滴剂 3支", 26800, 0},
		{"宠物湿巾 80抽", 1990, 0}, {"羽毛逗猫棒 3支", 1590, 0}, {"全封闭猫砂盆", 12900, 0},
	},
	catSkincare: {
		{"兰蔻小黑瓶精华 50ml", 108000, 0}, {"雅诗兰黛特润修护精华 50ml", 95000, 0}, {"珀莱雅红宝石面霜 50g", 26900, 0},
		{"薇诺娜舒敏保湿特护霜 50g", 26800, 0}, {"自然堂雪域精粹水乳套装", 19900, 0}, {"百雀羚帧颜淡纹霜 50g", 22900, 0},
		{"欧莱雅复颜玻尿酸面霜 50ml", 29900, 0}, {"玉兰油大红瓶面霜 50g", 28900, 0}, {"理肤泉B5修复霜 40ml", 19800, 0},
		{"修丽可色修精华 30ml", 52000, 0}, {"科颜氏高保湿面霜 50ml", 31000, 0}, {"资生堂红腰子精华 50ml", 79000, 0},
	},
	catApparel: {
		{"优衣库摇粒绒外套", 19900, allYear}, {"波司登女款羽绒服", 129900, winter}, {"李宁运动卫衣", 29900, allYear},
		{"安踏跑步鞋", 36900, allYear}, {"太平鸟连衣裙", 59900, summer}, {"森马牛仔裤", 15900, allYear},
		{"海澜之家男款衬衫", 19900, allYear}, {"蕉内保暖内衣套装", 19900, winter}, {"江南布衣针织开衫", 89900, winter},
		{"真维斯T恤 2件装", 7990, summer}, {"拉夏贝尔风衣", 49900, allYear}, {"361°运动短裤", 8900, summer},
	},
	catAppliance: {
		{"米家空气净化器4", 89900, 0}, {"戴森吹风机HD15", 299900, 0}, {"美的电饭煲 4L", 39900, 0},
		{"九阳破壁豆浆机", 59900, 0}, {"苏泊尔电压力锅 5L", 45900, 0}, {"飞利浦电动牙刷HX6730", 39900, 0},
		{"小熊酸奶机", 12900, 0}, {"摩飞多功能料理锅", 59900, 0}, {"科沃斯扫地机器人T10", 299900, 0},
		{"松下挂烫机", 69900, 0}, {"格力电暖器", 39900, 0}, {"德尔玛加湿器", 14900, 0},
	},
	catSupplement: {
		{"汤臣倍健蛋白粉 450g", 29800, 0}, {"汤臣倍健维生素C 100片", 6800, 0}, {"Swisse钙+维生素D 150片", 13900, 0},
		{"善存多维元素片 100片", 11800, 0}, {"钙尔奇碳酸钙D3片 100片", 8900, 0}, {"康恩贝鱼油软胶囊 100粒", 9900, 0},
		{"汤臣倍健鱼油 100粒", 15800, 0}, {"健安适氨糖软骨素 150粒", 21900, 0}, {"养生堂天然维生素E 200粒", 12800, 0},
		{"东阿阿胶块 250g", 89900, 0}, {"同仁堂西洋参片 100g", 26800, 0}, {"汤臣倍健益生菌粉 30袋", 19800, 0},
	},
	catMedicine: {
		{"苯磺酸氨氯地平片 5mg×28片", 5850, 0}, {"缬沙坦胶囊 80mg×28粒", 6200, 0}, {"盐酸二甲双胍片 0.5g×60片", 3280, 0},
		{"阿托伐他汀钙片 20mg×7片", 4500, 0}, {"阿卡波糖片 50mg×30片", 6800, 0}, {"硝苯地平控释片 30mg×7片", 3350, 0},
		{"瑞舒伐他汀钙片 10mg×7片", 3990, 0}, {"厄贝沙坦片 150mg×7片", 2980, 0}, {"阿司匹林肠溶片 100mg×30片", 1650, 0},
		{"格列美脲片 2mg×15片", 3600, 0}, {"左甲状腺素钠片 50μg×100片", 2800, 0}, {"非洛地平缓释片 5mg×10片", 2750, 0},
	},
}

// CatalogueSize is the number of products WriteProducts writes.
var CatalogueSize = func() int {
	n := 0
	for _, items := range catalogue {
		n += len(items)
	}
	return n
}()

// skus holds each product's code, such as DP-001, by category and position.
var skus = func() (s [numCats][]string) {
	for c, items := range catalogue {
		for i := range items {
			s[c] = append(s[c], categoryCodes[c]+"-"+pad3(i+1))
		}
	}
	return s
}()

// byPrice lists each category's products from cheapest to dearest, so that a
// customer's spending level can choose among them.
var byPrice = func() (s [numCats][]int) {
	for c, items := range catalogue {
		idx := make([]int, len(items))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return int(items[a].price - items[b].price) })
		s[c] = idx
	}
	return s
}()

func pad3(n int) string { return string(appendPad(nil, int64(n), 3)) }

// lowStockEvery makes one product in this many sit below its safety stock,
// so that the inventory alert has something to find in every demo.
const lowStockEvery = 20

// WriteProducts writes the catalogue as CSV (sku,name,category,price,stock,
// safety_stock) with stock levels drawn from the seed; about one product in
// twenty is below its safety stock, and always at least one.
func WriteProducts(w io.Writer, opt Options) (rows int, err error) {
	opt = opt.withDefaults()
	g := newRNG(opt.Seed)
	r := g.at(0, streamProducts)
	low := r.IntN(lowStockEvery) // which position in each run of twenty is low
	b := []byte("sku,name,category,price,stock,safety_stock\n")
	n := 0
	for c, items := range catalogue {
		for i, it := range items {
			safety := int64(between(r, 2, 6) * 10)
			if it.price >= 50000 {
				safety = int64(between(r, 3, 8)) // dear items are kept in small numbers
			}
			stock := safety + int64(r.IntN(int(safety)*12+1))
			if n%lowStockEvery == low {
				stock = int64(r.IntN(int(safety)))
			}
			b = append(b, skus[c][i]...)
			b = append(b, ',')
			b = append(b, it.name...)
			b = append(b, ',')
			b = append(b, categoryNames[c]...)
			b = append(b, ',')
			b = appendMoney(b, it.price)
			b = append(b, ',')
			b = strconv.AppendInt(b, stock, 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, safety, 10)
			b = append(b, '\n')
			n++
		}
	}
	if _, err := w.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}
