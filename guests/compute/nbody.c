// Compute benchmark: a five-body gravity simulation (the Sun and the four gas giants, in
// solar masses, AU and years), floating point and small loops. The same source is compiled
// natively and to wasm32-wasi; the printed energies must agree.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define BODIES 5
static const double pi = 3.141592653589793;
static const double year = 365.24;  // days: velocities below are in AU per day

typedef struct { double x[3], v[3], m; } Body;

static void energy(const Body *b, double *out) {
    double e = 0;
    for (int i = 0; i < BODIES; i++) {
        e += 0.5 * b[i].m * (b[i].v[0] * b[i].v[0] + b[i].v[1] * b[i].v[1] + b[i].v[2] * b[i].v[2]);
        for (int j = i + 1; j < BODIES; j++) {
            double d[3] = {b[i].x[0] - b[j].x[0], b[i].x[1] - b[j].x[1], b[i].x[2] - b[j].x[2]};
            e -= b[i].m * b[j].m / sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        }
    }
    *out = e;
}

static void step(Body *b, double dt) {
    for (int i = 0; i < BODIES; i++) {
        for (int j = i + 1; j < BODIES; j++) {
            double d[3] = {b[i].x[0] - b[j].x[0], b[i].x[1] - b[j].x[1], b[i].x[2] - b[j].x[2]};
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            double scale = dt / (r2 * sqrt(r2));
            for (int k = 0; k < 3; k++) {
                b[i].v[k] -= d[k] * b[j].m * scale;
                b[j].v[k] += d[k] * b[i].m * scale;
            }
        }
    }
    for (int i = 0; i < BODIES; i++)
        for (int k = 0; k < 3; k++) b[i].x[k] += dt * b[i].v[k];
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 1000000;
    const double mass = 4 * pi * pi;  // G * M_sun in AU^3 / year^2
    Body b[BODIES] = {
        {{0, 0, 0}, {0, 0, 0}, mass},
        {{4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01},
         {1.66007664274403694e-03 * year, 7.69901118419740425e-03 * year, -6.90460016972063023e-05 * year},
         9.54791938424326609e-04 * mass},
        {{8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01},
         {-2.76742510726862411e-03 * year, 4.99852801234917238e-03 * year, 2.30417297573763929e-05 * year},
         2.85885980666130812e-04 * mass},
        {{1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01},
         {2.96460137564761618e-03 * year, 2.37847173959480950e-03 * year, -2.96589568540237556e-05 * year},
         4.36624404335156298e-05 * mass},
        {{1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01},
         {2.68067772490389322e-03 * year, 1.62824170038242295e-03 * year, -9.51592254519715870e-05 * year},
         5.15138902046611451e-05 * mass},
    };
    // The Sun moves so that the total momentum is zero.
    for (int k = 0; k < 3; k++) {
        double p = 0;
        for (int i = 1; i < BODIES; i++) p += b[i].v[k] * b[i].m;
        b[0].v[k] = -p / mass;
    }
    double before, after;
    energy(b, &before);
    for (long s = 0; s < steps; s++) step(b, 0.01);
    energy(b, &after);
    printf("nbody(%ld) energy %.9f -> %.9f\n", steps, before, after);
    return 0;
}
