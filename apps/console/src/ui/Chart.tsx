import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// Only what the console draws: lines (over time), bars and doughnuts.
Chart.register(LineController, LineElement, PointElement, BarController, BarElement, DoughnutController, ArcElement, CategoryScale, LinearScale, Filler, Legend, Tooltip);

const css = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** Chart.js defaults in the console's type and colours. */
function theme(): void {
  Chart.defaults.font.family = css('--font', 'system-ui, sans-serif');
  Chart.defaults.font.size = Math.round(parseFloat(getComputedStyle(document.documentElement).fontSize) * 0.85);
  Chart.defaults.color = css('--text', '#1b1f24');
  Chart.defaults.borderColor = css('--line', '#d7dbe0');
  Chart.defaults.animation = false;
}

/**
 * A Chart.js chart in a canvas, with a text alternative for screen readers (`summary`).
 * The chart updates in place when `config.data` changes.
 */
export function ChartView<T extends ChartType>(props: { config: ChartConfiguration<T>; summary: string; height?: string; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    theme();
    const config = props.config as unknown as ChartConfiguration;
    chart.current = new Chart(canvas.current!, { ...config, options: { responsive: true, maintainAspectRatio: false, ...config.options } });
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data = (props.config as unknown as ChartConfiguration).data;
    c.update('none');
  }, [props.config.data]);
  return (
    <figure class="chart" style={{ height: props.height ?? '16rem' }} data-testid={props.testId}>
      <canvas ref={canvas} role="img" aria-label={props.summary} />
      <figcaption class="sr-only">{props.summary}</figcaption>
    </figure>
  );
}

/** Status colours, read from the stylesheet so charts and tiles always agree. */
export function statusColour(status: string): string {
  return css(`--st-${status}`, '#888');
}
