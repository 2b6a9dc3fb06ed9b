/**
 * ECharts for the planning and report pages: line and bar charts and heatmaps on the SVG renderer.
 * (The live view keeps its own, smaller set in views/live/charts.ts.)
 */
import { use } from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, AriaComponent, SVGRenderer]);

export { default as VChart } from 'vue-echarts';

export interface Series {
  name: string;
  data: (number | null)[];
  color?: string;
  type?: 'line' | 'bar';
  /** Draw against the right-hand axis (shares, seconds beside counts). */
  right?: boolean;
  dashed?: boolean;
}

/** Lines and bars over categories (times, dates), with an optional second axis on the right. */
export function lineChart(categories: string[], series: Series[], title: string, axes: { left?: string; right?: string } = {}) {
  const hasRight = series.some((s) => s.right);
  return {
    aria: { enabled: true, label: { description: title } },
    animation: false,
    grid: { left: 8, right: hasRight ? 8 : 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: categories, axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', name: axes.left, minInterval: 1 },
      ...(hasRight ? [{ type: 'value', name: axes.right, splitLine: { show: false } }] : []),
    ],
    series: series.map((s) => ({
      name: s.name, type: s.type ?? 'line', data: s.data, yAxisIndex: s.right ? 1 : 0, connectNulls: false, showSymbol: false,
      ...(s.color ? { itemStyle: { color: s.color }, lineStyle: { color: s.color, ...(s.dashed ? { type: 'dashed' } : {}) } } : s.dashed ? { lineStyle: { type: 'dashed' } } : {}),
    })),
  };
}

/** A heatmap: rows (days) × columns (times of day), a value per cell, with a colour scale. */
export function heatmapChart(rows: string[], columns: string[], cells: [number, number, number | '-'][], max: number, title: string, reverse = false) {
  return {
    aria: { enabled: true, label: { description: title } },
    animation: false,
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    tooltip: { position: 'top' },
    xAxis: { type: 'category', data: columns, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: rows, splitArea: { show: true }, inverse: true },
    visualMap: {
      min: 0, max: Math.max(1, max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
      inRange: { color: reverse ? ['#b3261e', '#f6d365', '#e8f5e9'] : ['#e8f1fb', '#6fa8dc', '#0b3d91'] },
    },
    series: [{ name: title, type: 'heatmap', data: cells, label: { show: columns.length <= 28, fontSize: 10 }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
  };
}
