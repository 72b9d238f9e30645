/*
 * main.c - entry point: dispatch to the commands. Wiring only, no logic.
 */
#include "agent_cli.h"
#include "cli.h"
#include "config.h"
#include "serve.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "faqbot - a self-hosted customer-service chatbot\n\n"
		   "usage:\n"
		   "  faqbot ask [--kb DIR] [--lang L] [--scene S] [--context JSON] [--intents DIR] [--explain] [\"question\"]\n"
		   "  faqbot kb check [DIR]\n"
		   "  faqbot kb test DIR GOLDEN.jsonl [--min PCT]\n"
		   "  faqbot kb stats [DIR]\n"
		   "  faqbot test dialogs [DIR] [--kb DIR] [--intents DIR]\n"
		   "  faqbot serve [--config FILE] [--port N] [--bind ADDR] [--kb DIR] [--intents DIR] [--web DIR] [--data DIR]\n"
		   "  faqbot agent add USER --team T[,T2] --name NAME [--capacity N] [--data DIR]\n"
		   "  faqbot agent disable|enable|passwd USER | faqbot agent list [--data DIR]\n"
		   "  faqbot version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "ask"))
		return cli_ask(argc - 1, argv + 1);
	if (!strcmp(argv[1], "kb"))
		return cli_kb(argc - 1, argv + 1);
	if (!strcmp(argv[1], "test"))
		return cli_test(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "agent"))
		return agent_cli_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("faqbot %s\n", FAQBOT_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "faqbot: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return 2;
}
