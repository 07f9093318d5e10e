import type { Command } from 'commander';
import { type GlobalOptions, withFaceService } from '../context.js';
import { printJson } from '../output.js';

export function registerDetect(program: Command, globals: () => GlobalOptions): void {
  program
    .command('detect')
    .description('Find every face in an image: box, score, five landmarks and quality signals.')
    .argument('<image>', 'image file (JPEG, PNG, WebP, TIFF, GIF)')
    .action(async (image: string) => {
      const options = globals();
      const result = await withFaceService(options, (s) => s.detect({ path: image }), 1);
      if (options.json) {
        printJson({ faces: result.faces });
        return;
      }
      console.log(`${image}: ${result.width}×${result.height}, ${result.faces.length} face(s)`);
      for (const [i, f] of result.faces.entries()) {
        const [x, y, w, h] = f.box;
        console.log(
          `  #${i}  box ${x.toFixed(0)},${y.toFixed(0)} ${w.toFixed(0)}×${h.toFixed(0)}  score ${f.score.toFixed(3)}  ` +
            `eyes ${f.quality.interocularPx.toFixed(0)}px  yaw ${f.quality.yawDeg.toFixed(0)}°  sharpness ${f.quality.sharpness.toFixed(0)}`,
        );
      }
    });
}
