/*
 * test_polytope.c - the walk inside linear constraints (src/polytope.c):
 * the centre of the largest ball inside a region (by hand for a box and a
 * triangle), regions without interior refused (empty, flat, or a row that
 * holds nowhere), and the walk's points inside a simplex of 3e-17 of the
 * box, spread as a uniform sample of it is, and the same for the same rng.
 */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "polytope.h"
#include "wjr/common.h"

static void test_box_centre(void **state)
{
    wjr_polytope p;
    size_t k;
    (void)state;

    assert_int_equal(wjr_polytope_init(&p, 3, 0), 0);
    assert_int_equal(wjr_polytope_start(&p), 0);
    assert_true(fabs(p.radius - 0.5) < 1e-12);
    for (k = 0; k < 3; k++)
        assert_true(fabs(p.u[k] - 0.5) < 1e-12);
    wjr_polytope_clear(&p);
}

/* u0 + u1 <= 0.2: the triangle (0,0), (0.2,0), (0,0.2); its incircle has
 * radius 0.2 / (2 + sqrt 2), centred at (r, r). Rows need not be unit. */
static void test_triangle_incentre(void **state)
{
    wjr_polytope p;
    double r = 0.2 / (2.0 + sqrt(2.0));
    (void)state;

    assert_int_equal(wjr_polytope_init(&p, 2, 1), 0);
    p.a[0] = p.a[1] = 5.0;
    p.b[0] = 1.0;
    assert_int_equal(wjr_polytope_start(&p), 0);
    assert_true(fabs(p.radius - r) < 1e-9);
    assert_true(fabs(p.u[0] - r) < 1e-9 && fabs(p.u[1] - r) < 1e-9);
    wjr_polytope_clear(&p);
}

static int start_rows(double a0, double a1, double b0, double c0, double c1, double d0)
{
    wjr_polytope p;
    int error;

    assert_int_equal(wjr_polytope_init(&p, 2, 2), 0);
    p.a[0] = a0;
    p.a[1] = a1;
    p.b[0] = b0;
    p.a[2] = c0;
    p.a[3] = c1;
    p.b[1] = d0;
    error = wjr_polytope_start(&p);
    wjr_polytope_clear(&p);
    return error;
}

static void test_no_interior(void **state)
{
    (void)state;
    /* u0 + u1 <= 0.5 and >= 0.6: empty */
    assert_int_equal(start_rows(1, 1, 0.5, -1, -1, -0.6), WJR_ESTATE);
    /* <= 0.5 and >= 0.5: a segment, no interior */
    assert_int_equal(start_rows(1, 1, 0.5, -1, -1, -0.5), WJR_ESTATE);
    /* u0 <= 0: a face of the box */
    assert_int_equal(start_rows(1, 0, 0.0, 0, 0, 1.0), WJR_ESTATE);
    /* an empty row with a negative bound holds nowhere */
    assert_int_equal(start_rows(1, 1, 1.0, 0, 0, -1.0), WJR_ESTATE);
    /* the same rows with room left do start */
    assert_int_equal(start_rows(1, 1, 0.5, -1, -1, -0.4), 0);
    assert_int_equal(start_rows(1, 1, 1.0, 0, 0, 0.0), 0);
}

/* sum u <= 0.1 over ten coordinates: 0.1^10 / 10! of the box. A uniform
 * point of this simplex has E[u_k] = 0.1/11 and E[sum] = 0.1 * 10/11, and
 * u_0 > 0.05 with probability 2^-10. */
static void test_walk_simplex(void **state)
{
    wjr_polytope p, q;
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    double u[10], v[10], mean[10] = {0}, sum_mean = 0.0, far = 0.0;
    size_t k, i, n = 4000;
    (void)state;

    assert_int_equal(wjr_polytope_init(&p, 10, 1), 0);
    assert_int_equal(wjr_polytope_init(&q, 10, 1), 0);
    for (k = 0; k < 10; k++)
        p.a[k] = q.a[k] = 1.0;
    p.b[0] = q.b[0] = 0.1;
    assert_int_equal(wjr_polytope_start(&p), 0);
    assert_int_equal(wjr_polytope_start(&q), 0);
    gsl_rng_set(r1, 7);
    gsl_rng_set(r2, 7);
    for (i = 0; i < n; i++) {
        double s = 0.0;
        wjr_polytope_walk(&p, r1, u);
        for (k = 0; k < 10; k++) {
            assert_true(u[k] >= 0.0 && u[k] <= 1.0);
            s += u[k];
            mean[k] += u[k] / (double)n;
        }
        assert_true(s <= 0.1 + 1e-12);
        sum_mean += s / (double)n;
        far += u[0] > 0.05;
        if (i < 20) { /* the same rng, the same points */
            wjr_polytope_walk(&q, r2, v);
            assert_memory_equal(u, v, sizeof(u));
        }
    }
    assert_true(fabs(sum_mean - 0.1 * 10.0 / 11.0) < 0.005);
    for (k = 0; k < 10; k++)
        assert_true(fabs(mean[k] - 0.1 / 11.0) < 0.0015);
    assert_true(far <= 20.0); /* about 4 expected of 4000 */
    wjr_polytope_clear(&p);
    wjr_polytope_clear(&q);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_box_centre),
        cmocka_unit_test(test_triangle_incentre),
        cmocka_unit_test(test_no_interior),
        cmocka_unit_test(test_walk_simplex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
