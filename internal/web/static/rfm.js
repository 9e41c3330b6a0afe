// Draws the RFM page's charts with ECharts from the JSON in data-rfm (the
// console's Content-Security-Policy allows no inline script). The page's
// tables carry the same figures for readers without JavaScript.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("rfm-groups");
    var heat = document.getElementById("rfm-heat");
    if (!box || !heat || !window.echarts) {
      return;
    }
    var d = JSON.parse(box.getAttribute("data-rfm"));
    box.style.height = "22rem";
    heat.style.height = "20rem";
    var names = d.groups.map(function (g) { return g.name; });
    echarts.init(box).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [d.labels[0], d.labels[1]] },
      grid: { left: 60, right: 80, bottom: 80 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: "value", name: d.labels[0] }, { type: "value", name: d.labels[1] }],
      series: [
        { name: d.labels[0], type: "bar", data: d.groups.map(function (g) { return g.customers; }) },
        { name: d.labels[1], type: "bar", yAxisIndex: 1, data: d.groups.map(function (g) { return g.revenue; }) }
      ]
    });
    var scores = ["1", "2", "3", "4", "5"];
    echarts.init(heat).setOption({
      tooltip: { position: "top" },
      grid: { left: 80, bottom: 60 },
      xAxis: { type: "category", data: scores, name: d.labels[2], nameLocation: "middle", nameGap: 30 },
      yAxis: { type: "category", data: scores, name: d.labels[3], nameLocation: "middle", nameGap: 40 },
      visualMap: { min: 0, max: Math.max(d.max, 1), calculable: true, orient: "horizontal", left: "center", bottom: 0 },
      series: [{ type: "heatmap", data: d.heat || [], label: { show: true } }]
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
