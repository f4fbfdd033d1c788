/* password.c - a password from a file or typed without echo: the one way
 * the commands that log in (stun, ews) read it, never from the command
 * line (where ps would show it). */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>

bool nt_read_password(const char *file, const char *user, char *pw, size_t n)
{
    FILE *f;
    bool tty = false;
    struct termios old, noecho;
    if (file) {
        f = fopen(file, "r");
        if (!f) return false;
    } else {
        f = fopen("/dev/tty", "r+");
        if (!f) return false;
        fprintf(f, "Password for %s: ", user);
        fflush(f);
        if (tcgetattr(fileno(f), &old) == 0) {
            noecho = old;
            noecho.c_lflag &= ~(tcflag_t)ECHO;
            tty = tcsetattr(fileno(f), TCSAFLUSH, &noecho) == 0;
        }
    }
    bool ok = fgets(pw, (int)n, f) != NULL;
    if (tty) {
        tcsetattr(fileno(f), TCSAFLUSH, &old);
        fputc('\n', f);
    }
    fclose(f);
    if (ok) pw[strcspn(pw, "\r\n")] = 0;
    return ok;
}
