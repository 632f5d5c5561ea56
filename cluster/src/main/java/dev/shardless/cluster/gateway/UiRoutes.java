package dev.shardless.cluster.gateway;

import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The dashboard's static files (docs/ui.md): {@code /ui/} serves the classpath folder {@code ui/}
 * (HTML, CSS and JavaScript modules, no build step), {@code /ui} and {@code /} redirect there.
 *
 * <p>The files hold no data, so they are served without credentials; every data call the page makes
 * goes to {@code /system/*} with the credentials typed into its own login form. The page may load
 * only its own files and talk only to this gateway (Content-Security-Policy).
 */
final class UiRoutes extends AllDirectives {
  private static final Uri UI = Uri.create("/ui/");
  private static final List<org.apache.pekko.http.javadsl.model.HttpHeader> HEADERS =
      List.of(
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self';"
                  + " frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("Cache-Control", "no-cache"));

  Route route() {
    return get(
        () ->
            concat(
                pathSingleSlash(() -> redirect(UI, StatusCodes.FOUND)),
                pathPrefix(
                    "ui",
                    () ->
                        concat(
                            pathEnd(() -> redirect(UI, StatusCodes.FOUND)),
                            respondWithHeaders(
                                HEADERS,
                                () ->
                                    concat(
                                        pathSingleSlash(() -> getFromResource("ui/index.html")),
                                        getFromResourceDirectory("ui")))))));
  }
}
