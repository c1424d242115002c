# kbview in a container: build the archive with Node, serve out/ with the official
# nginx image and the snippet kb build writes (out/nginx.conf). README, "Deploy":
#
#   docker build -t kbview .
#   docker run --rm -p 8080:80 kbview                       # http://localhost:8080/
#
# Build arguments: KB_CONTENT_DIR (a folder of articles inside the build context,
# default content/), KB_BASE_PATH (/kb-archive), KB_SITE_URL (https://example.org).

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG KB_CONTENT_DIR=content
ARG KB_BASE_PATH=
ARG KB_SITE_URL=
ENV NEXT_TELEMETRY_DISABLED=1
RUN KB_CONTENT_DIR="$KB_CONTENT_DIR" KB_BASE_PATH="$KB_BASE_PATH" KB_SITE_URL="$KB_SITE_URL" npm run build

FROM nginx:1.27-alpine AS serve
ARG KB_BASE_PATH=
# The snippet's root is /usr/share/nginx/html: the export goes there, under the base path.
RUN rm -rf /usr/share/nginx/html/*
COPY --from=build /app/out /usr/share/nginx/html${KB_BASE_PATH}
COPY --from=build /app/out/nginx.conf /etc/nginx/kbview.conf
RUN printf 'server {\n    listen 80;\n    listen [::]:80;\n    include /etc/nginx/kbview.conf;\n}\n' > /etc/nginx/conf.d/default.conf
EXPOSE 80
