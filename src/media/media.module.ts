import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { AdMediaFileController } from './ad-media-file.controller';
import { AdMediaService } from './ad-media.service';
import { AdScreenController } from './ad-screen.controller';
import { AdMediaController } from './ad-media.controller';

/** Section 2.6: advertising media (stored in the database, served at mediaPath) and the screen push extension. */
@Module({
  imports: [PushModule],
  controllers: [AdMediaController, AdMediaFileController, AdScreenController],
  providers: [AdMediaService],
  exports: [AdMediaService],
})
export class MediaModule {}
