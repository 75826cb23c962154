// Build output as docker prints it, captured on this machine (issue 15): docker 28's classic
// builder against engine 20.10, docker 20.10's built-in BuildKit (DOCKER_BUILDKIT=1), and
// buildx 0.13 on engine 26. Temporary folder names and digests are as they were.

export const CLASSIC_TWO_STAGES =
  "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\nSending build context to Docker daemon  3.072kB\n\nStep 1/5 : FROM ship-image/busybox:test AS one\n ---> 74b62f74ecc4\nStep 2/5 : RUN touch /marker\n ---> Running in fbe769772280\nRemoving intermediate container fbe769772280\n ---> d37fed1818c8\nStep 3/5 : RUN echo checking >&2; ls /marker\n ---> Running in a8d031c6fcb1\n/marker\n\u001b[91mchecking\n\u001b[0mRemoving intermediate container a8d031c6fcb1\n ---> 34c235383a97\nStep 4/5 : FROM ship-image/busybox:test AS two\n ---> 74b62f74ecc4\nStep 5/5 : RUN echo checking >&2; ls /marker\n ---> Running in 7cccb163ffba\n\u001b[91mchecking\nls: /marker: No such file or directory\n\u001b[0mThe command '/bin/sh -c echo checking >&2; ls /marker' returned a non-zero code: 1\n"

export const BUILDKIT_0_8_TWO_STAGES =
  '#1 [internal] load build definition from Dockerfile\n#1 sha256:2f6a807647994a595a8ee4b34d659dde9f70fa61446ebfff173b6480ded0a595\n#1 transferring dockerfile: 198B 0.0s done\n#1 DONE 0.0s\n\n#2 [internal] load .dockerignore\n#2 sha256:9e152e683afa837acda03b68c06a89efa8949391a5b466ee4ec3141c9041e755\n#2 transferring context: 2B done\n#2 DONE 0.0s\n\n#3 [internal] load metadata for docker.io/ship-image/busybox:test\n#3 sha256:5a5a321fe672b1a3b19794dc4a3489305c205f60294d717e30034343c567fef3\n#3 DONE 0.0s\n\n#5 [two 1/2] FROM docker.io/ship-image/busybox:test\n#5 sha256:1ecf705ec70ccc59595bedabe6a467e26cf6792aba18129f45b3f1e3545928d6\n#5 CACHED\n\n#4 [two 2/2] RUN echo checking >&2; ls /marker\n#4 sha256:2ea966ceb59bd4c0059d2ca90f0f3f5843450a5dcf748fc1c77b61e313204634\n#4 0.202 checking\n#4 0.202 ls: /marker: No such file or directory\n#4 ERROR: executor failed running [/bin/sh -c echo checking >&2; ls /marker]: exit code: 1\n------\n > [two 2/2] RUN echo checking >&2; ls /marker:\n------\nexecutor failed running [/bin/sh -c echo checking >&2; ls /marker]: exit code: 1\n'

export const BUILDX_TWO_STAGES =
  '#0 building with "default" instance using docker driver\n\n#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 198B 0.0s done\n#1 DONE 0.1s\n\n#2 [internal] load metadata for docker.io/ship-image/busybox:test\n#2 DONE 0.0s\n\n#3 [internal] load .dockerignore\n#3 transferring context:\n#3 transferring context: 2B done\n#3 DONE 0.1s\n\n#4 [two 1/2] FROM docker.io/ship-image/busybox:test@sha256:e9cf87583800fb0a7edefd27eba94ef2af219ca1acb4209b8ebff47325f51c1e\n#4 resolve docker.io/ship-image/busybox:test@sha256:e9cf87583800fb0a7edefd27eba94ef2af219ca1acb4209b8ebff47325f51c1e 0.0s done\n#4 CACHED\n\n#5 [two 2/2] RUN echo checking >&2; ls /marker\n#5 0.185 checking\n#5 0.186 ls: /marker: No such file or directory\n#5 ERROR: process "/bin/sh -c echo checking >&2; ls /marker" did not complete successfully: exit code: 1\n------\n > [two 2/2] RUN echo checking >&2; ls /marker:\n0.185 checking\n0.186 ls: /marker: No such file or directory\n------\nDockerfile:6\n--------------------\n   4 |     \n   5 |     FROM ship-image/busybox:test AS two\n   6 | >>> RUN echo checking >&2; ls /marker\n   7 |     \n--------------------\nERROR: failed to solve: process "/bin/sh -c echo checking >&2; ls /marker" did not complete successfully: exit code: 1\n'

export const CLASSIC_MISSING_BASE =
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\nSending build context to Docker daemon  142.8kB\n\nStep 1/2 : FROM localhost:5000/does-not-exist-ux:1\nmanifest for localhost:5000/does-not-exist-ux:1 not found: manifest unknown: manifest unknown\n'

export const BUILDKIT_0_8_MISSING_BASE =
  '#1 [internal] load build definition from Dockerfile4\n#1 sha256:1dcf933ec769f0e1f72d4ff2dd654afe6e272ef641a11c5eaf280396dca6b9a4\n#1 transferring dockerfile: 87B done\n#1 DONE 0.1s\n\n#2 [internal] load .dockerignore\n#2 sha256:a72b0d6f0f745650fb83f2469b40d983fded64c840d72e75ba21c1a53784d90a\n#2 transferring context: 2B done\n#2 DONE 0.1s\n\n#3 [internal] load metadata for localhost:5000/does-not-exist-ux:1\n#3 sha256:8624a7cbb133852daac60eb12b9a3e09c73739b9137e72f410cf0dd21465f5f1\n#3 ERROR: localhost:5000/does-not-exist-ux:1: not found\n------\n > [internal] load metadata for localhost:5000/does-not-exist-ux:1:\n------\nfailed to solve with frontend dockerfile.v0: failed to create LLB definition: localhost:5000/does-not-exist-ux:1: not found\n'

export const BUILDX_MISSING_BASE =
  '#0 building with "default" instance using docker driver\n\n#1 [internal] load build definition from Dockerfile4\n#1 transferring dockerfile: 87B done\n#1 DONE 0.0s\n\n#2 [internal] load metadata for localhost:5000/does-not-exist-ux:1\n#2 ERROR: localhost:5000/does-not-exist-ux:1: not found\n------\n > [internal] load metadata for localhost:5000/does-not-exist-ux:1:\n------\nDockerfile4:1\n--------------------\n   1 | >>> FROM localhost:5000/does-not-exist-ux:1\n   2 |     RUN true\n   3 |     \n--------------------\nERROR: failed to solve: localhost:5000/does-not-exist-ux:1: failed to resolve source metadata for localhost:5000/does-not-exist-ux:1: localhost:5000/does-not-exist-ux:1: not found\n'

export const BUILDKIT_0_8_MISSING_BASE_ARG =
  '#1 [internal] load build definition from Dockerfile5\n#1 sha256:d6f4522060af4d191e8ecf318736175c636157dbb25a58709ecf8b1c201992b0\n#1 transferring dockerfile: 139B 0.0s done\n#1 DONE 0.1s\n\n#2 [internal] load .dockerignore\n#2 sha256:13f8e44dd26f996744d6cd46682b929a0270755309f6b98738d108d827246ea4\n#2 transferring context: 2B 0.0s done\n#2 DONE 0.1s\n\n#3 [internal] load metadata for localhost:5000/does-not-exist-ux:1\n#3 sha256:8624a7cbb133852daac60eb12b9a3e09c73739b9137e72f410cf0dd21465f5f1\n#3 ERROR: localhost:5000/does-not-exist-ux:1: not found\n------\n > [internal] load metadata for localhost:5000/does-not-exist-ux:1:\n------\nfailed to solve with frontend dockerfile.v0: failed to create LLB definition: localhost:5000/does-not-exist-ux:1: not found\n'

// A second build with the cache: three of four steps cached (classic), all four (BuildKit).
export const CLASSIC_CACHED =
  'DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\nSending build context to Docker daemon  3.072kB\n\nStep 1/5 : FROM ship-image/busybox:test\n ---> 74b62f74ecc4\nStep 2/5 : COPY a /a\n ---> Using cache\n ---> 7e3fd25f19f7\nStep 3/5 : RUN echo one-19921 > /one\n ---> Using cache\n ---> 8fdc078eba8b\nStep 4/5 : RUN echo two > /two\n ---> Using cache\n ---> 395a39b86348\nStep 5/5 : RUN echo three\n ---> Running in 1609f3515880\nthree\nRemoving intermediate container 1609f3515880\n ---> 253f2d9a4114\nSuccessfully built 253f2d9a4114\nSuccessfully tagged uxcache:1\n'

export const BUILDKIT_0_8_CACHED =
  '#1 [internal] load build definition from Dockerfile\n#1 sha256:704b78a1f0468222bba1b06a26745efb7cc2c8c99fe90fc72e7262d9ca2ab2fa\n#1 transferring dockerfile: 31B done\n#1 DONE 0.0s\n\n#2 [internal] load .dockerignore\n#2 sha256:48a9ce047d9df929d7610919051f8d6ae7c694f87f2f8bf2a4413a1aa7ae43bd\n#2 transferring context: 2B done\n#2 DONE 0.0s\n\n#3 [internal] load metadata for docker.io/ship-image/busybox:test\n#3 sha256:5a5a321fe672b1a3b19794dc4a3489305c205f60294d717e30034343c567fef3\n#3 DONE 0.0s\n\n#4 [1/5] FROM docker.io/ship-image/busybox:test\n#4 sha256:1ecf705ec70ccc59595bedabe6a467e26cf6792aba18129f45b3f1e3545928d6\n#4 DONE 0.0s\n\n#5 [internal] load build context\n#5 sha256:c8a6acb32187640025065f0ba18851c2ec251592cc38d51c42c3511123fd91aa\n#5 transferring context: 22B done\n#5 DONE 0.0s\n\n#6 [2/5] COPY a /a\n#6 sha256:a83742e942e2862ed10a15c2ae6a090c53e034b6cca7f26a12ac2fe606174c31\n#6 CACHED\n\n#8 [4/5] RUN echo two > /two\n#8 sha256:0a1ba37d0539084eac1a47228dc2f9360f87d1c94b8081c4d046c4810c6f070c\n#8 CACHED\n\n#7 [3/5] RUN echo one-19921 > /one\n#7 sha256:65c524271db4c72dda9aee9eb14ab70ccef9c8ee13d253c9be6c13e8b61984f7\n#7 CACHED\n\n#9 [5/5] RUN echo three\n#9 sha256:678589e4fc1c17da48a920837e462bf6f26d395ec1d539850d3f8c428395a4d8\n#9 CACHED\n\n#10 exporting to image\n#10 sha256:e8c613e07b0b7ff33893b694f7759a10d42e180f2b4dc349fb57dc6b71dcab00\n#10 exporting layers done\n#10 writing image sha256:08f27fbb3831cc7754f6311aee6dd1403c426f86bfd5a670c7b24d954f2633d9 done\n#10 naming to docker.io/library/uxcache:2 done\n#10 DONE 0.0s\n'

export const BUILDX_CACHED =
  '#0 building with "default" instance using docker driver\n\n#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 137B done\n#1 DONE 0.0s\n\n#2 [internal] load metadata for docker.io/ship-image/busybox:test\n#2 DONE 0.0s\n\n#3 [internal] load .dockerignore\n#3 transferring context: 2B done\n#3 DONE 0.0s\n\n#4 [1/5] FROM docker.io/ship-image/busybox:test@sha256:e9cf87583800fb0a7edefd27eba94ef2af219ca1acb4209b8ebff47325f51c1e\n#4 resolve docker.io/ship-image/busybox:test@sha256:e9cf87583800fb0a7edefd27eba94ef2af219ca1acb4209b8ebff47325f51c1e 0.0s done\n#4 DONE 0.0s\n\n#5 [internal] load build context\n#5 transferring context: 22B done\n#5 DONE 0.0s\n\n#6 [4/5] RUN echo two > /two\n#6 CACHED\n\n#7 [3/5] RUN echo one-19921 > /one\n#7 CACHED\n\n#8 [2/5] COPY a /a\n#8 CACHED\n\n#9 [5/5] RUN echo three\n#9 CACHED\n\n#10 exporting to image\n#10 exporting layers done\n#10 exporting manifest sha256:459c06752197d0134b28be980918425fe9bd0a54fc5f923c4099bd578a217e8b done\n#10 exporting config sha256:45d8a55d0965839110298ae543ab47ca2431de618136b4aa211b095eafff5841 done\n#10 exporting attestation manifest sha256:89af4440a43c6449d6e92066305953c83688d75a8cdd428aea8614643e678493 0.0s done\n#10 exporting manifest list sha256:8a79f0a4ebfcd4c83cd794fe9133d76a709528fa9c4c2e20b2848f41567f8646 done\n#10 naming to docker.io/library/uxcache:3\n#10 naming to docker.io/library/uxcache:3 done\n#10 unpacking to docker.io/library/uxcache:3 done\n#10 DONE 0.1s\n'

/**
 * A `docker buildx build --push` (buildx 0.29.1, the remote BuildKit) of three tags in two
 * registries whose second refused it: the first registry's two tags were pushed (`… done`).
 */
export const BUILDX_PUSH_PARTLY = `#6 exporting to image
#6 exporting layers 0.1s done
#6 exporting manifest sha256:aa5c6b085d5ea681fc60a600926e7ed5f71d881d506858bbaf2e9529fd913002 done
#6 exporting config sha256:41131775e0360e88825af678d760230daa67ea035f705cd96f1ea38be1f5672b done
#6 pushing layers
#6 pushing layers 0.0s done
#6 pushing manifest for localhost:5000/repro/pp:v1@sha256:aa5c6b085d5ea681fc60a600926e7ed5f71d881d506858bbaf2e9529fd913002 0.0s done
#6 pushing manifest for localhost:5000/repro/pp:v2@sha256:aa5c6b085d5ea681fc60a600926e7ed5f71d881d506858bbaf2e9529fd913002
#6 pushing layers 0.1s done
#6 pushing manifest for localhost:5000/repro/pp:v2@sha256:aa5c6b085d5ea681fc60a600926e7ed5f71d881d506858bbaf2e9529fd913002 0.0s done
#6 ERROR: failed to push registry.ship-image.test:5443/repro/pp:v1: unexpected status from HEAD request to https://registry.ship-image.test:5443/v2/repro/pp/blobs/sha256:0f4b09e1cf151a84e8420d13df530199713c2669633858d6c6d427cd894a1dfd: 401 Unauthorized
------
 > exporting to image:
------
ERROR: failed to build: failed to solve: failed to push registry.ship-image.test:5443/repro/pp:v1: unexpected status from HEAD request to https://registry.ship-image.test:5443/v2/repro/pp/blobs/sha256:0f4b09e1cf151a84e8420d13df530199713c2669633858d6c6d427cd894a1dfd: 401 Unauthorized
`

/**
 * A `docker buildx build --push` (buildx 0.29.1, the remote BuildKit) to a registry that
 * answers every manifest upload with 503: BuildKit tries four times, then closes the
 * progress line of the manifest push with `done` although the push failed.
 */
export const BUILDX_PUSH_MANIFEST_REFUSED = `#8 pushing layers 0.0s done
#8 pushing manifest for registry.ship-image.test:40969/flaky/app:v1@sha256:36894a128124bb89218a4252f5e083af528417169008bf1993d0e44090650bd0
#8 0.090 error: failed commit on ref "manifest-sha256:36894a128124bb89218a4252f5e083af528417169008bf1993d0e44090650bd0": unexpected status from PUT request to https://registry.ship-image.test:40969/v2/flaky/app/manifests/v1: 503 Service Unavailable
#8 0.090 unavailable
#8 0.090 retrying in 1s
#8 1.095 error: failed commit on ref "manifest-sha256:36894a128124bb89218a4252f5e083af528417169008bf1993d0e44090650bd0": unexpected status from PUT request to https://registry.ship-image.test:40969/v2/flaky/app/manifests/v1: 503 Service Unavailable
#8 1.095 unavailable
#8 1.095 retrying in 2s
#8 3.108 error: failed commit on ref "manifest-sha256:36894a128124bb89218a4252f5e083af528417169008bf1993d0e44090650bd0": unexpected status from PUT request to https://registry.ship-image.test:40969/v2/flaky/app/manifests/v1: 503 Service Unavailable
#8 3.108 unavailable
#8 3.108 retrying in 4s
#8 pushing manifest for registry.ship-image.test:40969/flaky/app:v1@sha256:36894a128124bb89218a4252f5e083af528417169008bf1993d0e44090650bd0 7.0s done
#8 7.112 error: failed commit on ref "manifest-sha256:36894a128124bb89218a4252f5e083af528417169008bf1993d0e44090650bd0": unexpected status from PUT request to https://registry.ship-image.test:40969/v2/flaky/app/manifests/v1: 503 Service Unavailable
#8 7.112 unavailable
#8 ERROR: failed to push registry.ship-image.test:40969/flaky/app:v1: unavailable
------
 > exporting to image:
------
ERROR: failed to build: failed to solve: failed to push registry.ship-image.test:40969/flaky/app:v1: unavailable
`
