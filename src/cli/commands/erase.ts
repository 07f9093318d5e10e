import type { Command } from 'commander';
import { GalleryService } from '../../services/gallery-service.js';
import { type GlobalOptions, withApp } from '../context.js';
import { printJson } from '../output.js';

export function registerErase(program: Command, globals: () => GlobalOptions): void {
  const image = program.command('image').description('Stored images.');
  image
    .command('delete')
    .argument('<imageId>')
    .description('Erase an image, its faces and thumbnails from the database and the index at once.')
    .action(async (imageId: string) => {
      const options = globals();
      const r = await withApp(options, (app) => new GalleryService(app).deleteImage(imageId));
      if (options.json) printJson({ deleted: { imageId, faces: r.faces } });
      else console.log(`Erased image ${imageId} and ${r.faces} face(s).`);
    });
  const face = program.command('face').description('Stored faces.');
  face
    .command('delete')
    .argument('<faceId>')
    .description('Erase one face from the database and the index at once.')
    .action(async (faceId: string) => {
      const options = globals();
      await withApp(options, (app) => new GalleryService(app).deleteFace(faceId));
      if (options.json) printJson({ deleted: { faceId } });
      else console.log(`Erased face ${faceId}.`);
    });
}
