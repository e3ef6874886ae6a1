/* Probe: GLPK 5.0 keeps one environment per thread; a problem created on one
 * thread and deleted on another aborts the process.
 *
 *   cc thread-delete.c -o thread-delete -lglpk -lpthread && ./thread-delete
 *
 * Prints "TLS=_Thread_local", then GLPK's "glp_free: memory allocation
 * error" and the process aborts (exit status 134).
 */
#include <glpk.h>
#include <pthread.h>
#include <stdio.h>

static glp_prob *P;
static void *create(void *arg) { (void)arg; P = glp_create_prob(); glp_add_cols(P, 3); return 0; }
static void *destroy(void *arg) { (void)arg; glp_delete_prob(P); return 0; }

int main(void) {
    const char *tls = glp_config("TLS");
    printf("TLS=%s\n", tls ? tls : "(none)");
    fflush(stdout);
    pthread_t t1, t2;
    pthread_create(&t1, 0, create, 0); pthread_join(t1, 0);
    pthread_create(&t2, 0, destroy, 0); pthread_join(t2, 0);
    printf("survived\n");
    return 0;
}
