package dev.fletch.materializer;

import dev.fletch.online.EmbeddedOnlineStore;
import dev.fletch.online.OnlineStore;

class MaterializerEmbeddedIT extends MaterializerContract {
  @Override
  OnlineStore openOnline() {
    return EmbeddedOnlineStore.open(dir.resolve(".fletch/online.db"));
  }
}
