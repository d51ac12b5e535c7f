/* hostile case */

static const char *switch(int case)
{
    return "x";
}
int mig_state_to_str = 3;
