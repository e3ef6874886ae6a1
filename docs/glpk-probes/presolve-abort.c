/* Probe: how often GLPK 5.0 aborts on random badly scaled models.
 *
 *   cc -O1 presolve-abort.c -o presolve-abort -lglpk -lm
 *   ./presolve-abort 1   # with the LP presolver
 *   ./presolve-abort 0   # without it
 *
 * Each model (4 rows, 4 columns, ~2/3 dense, odd seeds MILPs) has its
 * coefficients, bounds, sides and costs drawn log-uniformly from 1e±k, and
 * is solved in a forked child, so an abort is counted instead of ending the
 * run. GLPK's last messages before each abort go to standard error.
 * Figures behind docs/modeling.md ("GLPK's fatal paths").
 */
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char last[4][256];
static int count = 0;
static int keep(void *info, const char *s) { (void)info; strncpy(last[count % 4], s, 255); count++; return 1; }
static void fatal(void *info) {
    (void)info;
    for (int k = 0; k < 4; k++) fprintf(stderr, "%s", last[(count + k) % 4]);
    fprintf(stderr, "----\n");
}
static double draw(double k) { return pow(10.0, (2.0 * rand() / RAND_MAX - 1) * k) * (rand() % 2 ? 1 : -1); }

static int solve_in_child(unsigned seed, double k, int presolve, int mip) {
    pid_t pid = fork();
    if (pid == 0) {
        glp_term_hook(keep, 0);
        glp_error_hook(fatal, 0);
        srand(seed);
        int n = 4, m = 4;
        glp_prob *P = glp_create_prob();
        glp_add_cols(P, n);
        glp_add_rows(P, m);
        for (int j = 1; j <= n; j++) {
            glp_set_col_bnds(P, j, GLP_DB, -fabs(draw(k)), fabs(draw(k)));
            glp_set_obj_coef(P, j, draw(k));
            if (mip) glp_set_col_kind(P, j, GLP_IV);
        }
        for (int i = 1; i <= m; i++) glp_set_row_bnds(P, i, GLP_DB, -fabs(draw(k)), fabs(draw(k)));
        int ia[17], ja[17], ne = 0;
        double ar[17];
        for (int i = 1; i <= m; i++)
            for (int j = 1; j <= n; j++) {
                if (rand() % 3 == 0) continue;
                ne++; ia[ne] = i; ja[ne] = j; ar[ne] = draw(k);
            }
        glp_load_matrix(P, ne, ia, ja, ar);
        glp_smcp s; glp_init_smcp(&s); s.msg_lev = GLP_MSG_OFF; s.presolve = presolve; s.tm_lim = 2000;
        int rc = glp_simplex(P, &s);
        if (mip && rc == 0 && glp_get_status(P) == GLP_OPT) {
            glp_iocp c; glp_init_iocp(&c); c.msg_lev = GLP_MSG_OFF; c.tm_lim = 2000;
            glp_intopt(P, &c);
        }
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status);
}

int main(int argc, char **argv) {
    int presolve = argc > 1 ? atoi(argv[1]) : 1;
    double ks[] = {6, 9, 12, 15, 20, 25, 30};
    for (int a = 0; a < 7; a++) {
        int aborts = 0;
        for (unsigned s = 1; s <= 2500; s++) aborts += solve_in_child(s * 7 + a * 1000, ks[a], presolve, s % 2);
        printf("presolve %d, numbers within 1e±%g: %d of 2500 aborted\n", presolve, ks[a], aborts);
        fflush(stdout);
    }
    return 0;
}
