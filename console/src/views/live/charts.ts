/** ECharts with only what the live view draws: bar charts on the SVG renderer (crisp, light, accessible). */
import { use } from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

export { default as VChart } from 'vue-echarts';

/** A horizontal stacked bar chart: one bar per category, one series per measure. */
export function stackedBars(categories: string[], series: { name: string; color: string; data: number[] }[], title: string) {
  return {
    aria: { enabled: true, label: { description: title } },
    animation: false,
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: categories, inverse: true, axisLabel: { width: 160, overflow: 'truncate' } },
    series: series.map((s) => ({ name: s.name, type: 'bar', stack: 'total', data: s.data, itemStyle: { color: s.color }, label: { show: true, formatter: (p: { value: number }) => (p.value ? String(p.value) : '') } })),
  };
}
